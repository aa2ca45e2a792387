export function DeploymentsPage(_props: Record<string, unknown>) { return <p>Coming soon</p> }
