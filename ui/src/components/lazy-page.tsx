import type { ComponentType } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { ErrorMessage, Loading } from './message.js'

/**
 * A page whose code (and uPlot with it) loads on first visit, so the first page a person opens
 * downloads only the shell and that page.
 */
export function lazyPage<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  let loaded: ComponentType<P> | undefined
  return function LazyPage(props: P) {
    const [component, setComponent] = useState<ComponentType<P> | undefined>(() => loaded)
    const [error, setError] = useState<Error>()
    useEffect(() => {
      if (loaded) return
      load().then(
        (c) => setComponent(() => (loaded = c)),
        (e: Error) => setError(e),
      )
    }, [])
    if (error) return <ErrorMessage error={error} title="Could not load this page's code" />
    if (!component) return <Loading />
    const Component = component
    return <Component {...props} />
  }
}
