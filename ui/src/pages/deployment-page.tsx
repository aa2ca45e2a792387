export function DeploymentPage(_props: Record<string, unknown>) { return <p>Coming soon</p> }
