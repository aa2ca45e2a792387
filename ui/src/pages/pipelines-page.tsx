export function PipelinesPage(_props: Record<string, unknown>) { return <p>Coming soon</p> }
