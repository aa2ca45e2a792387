export function PipelineRunPage(_props: Record<string, unknown>) { return <p>Coming soon</p> }
