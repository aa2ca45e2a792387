export function MonitoringPage(_props: Record<string, unknown>) { return <p>Coming soon</p> }
