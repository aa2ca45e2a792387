import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks'

export interface Loaded<T> {
  data: T | undefined
  error: Error | undefined
  loading: boolean
  reload: () => void
}

/**
 * Runs `load` when `deps` change and keeps the latest answer. An answer that arrives after a
 * newer request started is dropped, so fast typing in a filter cannot show stale rows.
 */
export function useApi<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: true })
  const [tick, setTick] = useState(0)
  const loadRef = useRef(load)
  loadRef.current = load
  // A layout effect runs right after the render is committed; a plain effect waits for the next
  // frame, which on a first page load delayed every request by one paint.
  useLayoutEffect(() => {
    const controller = new AbortController()
    setState((s) => ({ ...s, loading: true }))
    loadRef.current(controller.signal).then(
      (data) => !controller.signal.aborted && setState({ data, loading: false }),
      (error: Error) => !controller.signal.aborted && error.name !== 'AbortError' && setState((s) => ({ data: s.data, error, loading: false })),
    )
    return () => controller.abort()
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick])
  const reload = useCallback(() => setTick((t) => t + 1), [])
  return { data: state.data, error: state.error, loading: state.loading, reload }
}

/** Calls `fn` every `ms` while the page is visible. */
export function useInterval(fn: () => void, ms: number): void {
  const fnRef = useRef(fn)
  fnRef.current = fn
  useEffect(() => {
    const id = setInterval(() => {
      if (document.visibilityState === 'visible') fnRef.current()
    }, ms)
    return () => clearInterval(id)
  }, [ms])
}
