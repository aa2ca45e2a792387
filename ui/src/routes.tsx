import type { ComponentChildren } from 'preact'
import { lazyPage } from './components/lazy-page.js'
import type { Location } from './lib/router.js'
import { ExperimentsPage } from './pages/experiments-page.js'

const RunPage = lazyPage(() => import('./pages/run-page.js').then((m) => m.RunPage))
const ComparePage = lazyPage(() => import('./pages/compare-page.js').then((m) => m.ComparePage))
const ModelsPage = lazyPage(() => import('./pages/models-page.js').then((m) => m.ModelsPage))
const ModelPage = lazyPage(() => import('./pages/model-page.js').then((m) => m.ModelPage))
const VersionPage = lazyPage(() => import('./pages/version-page.js').then((m) => m.VersionPage))
const DeploymentsPage = lazyPage(() => import('./pages/deployments-page.js').then((m) => m.DeploymentsPage))
const DeploymentPage = lazyPage(() => import('./pages/deployment-page.js').then((m) => m.DeploymentPage))
const MonitoringPage = lazyPage(() => import('./pages/monitoring-page.js').then((m) => m.MonitoringPage))
const PipelinesPage = lazyPage(() => import('./pages/pipelines-page.js').then((m) => m.PipelinesPage))
const PipelineRunPage = lazyPage(() => import('./pages/pipeline-run-page.js').then((m) => m.PipelineRunPage))

interface Route {
  pattern: RegExp
  title: (location: Location) => string
  render: (location: Location, groups: string[]) => ComponentChildren
}

const d = decodeURIComponent

/** Every UI path; `src/http/ui-routes.ts` answers index.html for the same first segments. */
const ROUTES: Route[] = [
  { pattern: /^\/(?:experiments\/?)?$/, title: () => 'Experiments', render: (l) => <ExperimentsPage experimentId={l.params.get('experiment') ?? undefined} location={l} /> },
  { pattern: /^\/experiments\/([^/]+)$/, title: () => 'Runs', render: (l, [id]) => <ExperimentsPage experimentId={d(id!)} location={l} /> },
  { pattern: /^\/runs\/([^/]+)$/, title: () => 'Run', render: (_l, [id]) => <RunPage runId={d(id!)} /> },
  { pattern: /^\/compare$/, title: () => 'Compare runs', render: (l) => <ComparePage location={l} /> },
  { pattern: /^\/models\/?$/, title: () => 'Models', render: () => <ModelsPage /> },
  { pattern: /^\/models\/([^/]+)$/, title: (l) => d(l.path.split('/')[2]!), render: (_l, [name]) => <ModelPage name={d(name!)} /> },
  { pattern: /^\/models\/([^/]+)\/versions\/([^/]+)$/, title: () => 'Model version', render: (_l, [name, v]) => <VersionPage name={d(name!)} version={d(v!)} /> },
  { pattern: /^\/deployments\/?$/, title: () => 'Deployments', render: () => <DeploymentsPage /> },
  { pattern: /^\/deployments\/([^/]+)$/, title: (l) => d(l.path.split('/')[2]!), render: (_l, [name]) => <DeploymentPage name={d(name!)} /> },
  { pattern: /^\/monitoring\/?$/, title: () => 'Monitoring', render: () => <MonitoringPage /> },
  { pattern: /^\/monitoring\/([^/]+)$/, title: () => 'Monitoring', render: (l, [name]) => <MonitoringPage deployment={d(name!)} location={l} /> },
  { pattern: /^\/pipelines\/?$/, title: () => 'Pipelines', render: () => <PipelinesPage /> },
  { pattern: /^\/pipelines\/([^/]+)$/, title: () => 'Pipeline', render: (_l, [name]) => <PipelinesPage pipeline={d(name!)} /> },
  { pattern: /^\/pipeline-runs\/([^/]+)$/, title: () => 'Pipeline run', render: (_l, [id]) => <PipelineRunPage runId={d(id!)} /> },
]

export function matchRoute(path: string): { title: Route['title']; render: (l: Location) => ComponentChildren } | undefined {
  for (const route of ROUTES) {
    const match = route.pattern.exec(path)
    if (match) return { title: route.title, render: (l) => route.render(l, match.slice(1)) }
  }
  return undefined
}

export const NAV_ITEMS = [
  { href: '/experiments', label: 'Experiments', match: /^\/(experiments|runs|compare|$)/ },
  { href: '/models', label: 'Models', match: /^\/models/ },
  { href: '/deployments', label: 'Deployments', match: /^\/deployments/ },
  { href: '/monitoring', label: 'Monitoring', match: /^\/monitoring/ },
  { href: '/pipelines', label: 'Pipelines', match: /^\/pipeline/ },
]

/** First path segments the server must answer with index.html (kept in step with ROUTES). */
export const UI_SECTIONS = ['experiments', 'runs', 'compare', 'models', 'deployments', 'monitoring', 'pipelines', 'pipeline-runs']
