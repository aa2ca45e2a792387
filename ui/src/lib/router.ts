import { useEffect, useState } from 'preact/hooks'

/**
 * Client-side routes on the History API: the server answers index.html for every UI path, so
 * a copied link opens the same page.
 */
export interface Location {
  path: string
  params: URLSearchParams
}

const CHANGE = 'plinth:navigate'

function current(): Location {
  return { path: window.location.pathname, params: new URLSearchParams(window.location.search) }
}

export function navigate(url: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, '', url)
  else history.pushState(null, '', url)
  window.dispatchEvent(new Event(CHANGE))
}

export function useLocation(): Location {
  const [location, setLocation] = useState(current)
  useEffect(() => {
    const update = () => setLocation(current())
    window.addEventListener('popstate', update)
    window.addEventListener(CHANGE, update)
    return () => {
      window.removeEventListener('popstate', update)
      window.removeEventListener(CHANGE, update)
    }
  }, [])
  return location
}

/** Follows same-origin links without a reload; modified clicks (new tab) keep the browser's behaviour. */
export function interceptLinks(event: MouseEvent): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
  const anchor = (event.target as Element | null)?.closest?.('a')
  if (!anchor || anchor.target || anchor.hasAttribute('download')) return
  const url = new URL(anchor.href, window.location.href)
  if (url.origin !== window.location.origin || url.pathname.startsWith('/api/') || url.pathname.startsWith('/get-artifact')) return
  event.preventDefault()
  navigate(url.pathname + url.search)
}

/** Replaces some query parameters of the current URL (empty values removed) without a new history entry. */
export function updateQuery(changes: Record<string, string | undefined>): void {
  const params = new URLSearchParams(window.location.search)
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined || value === '') params.delete(key)
    else params.set(key, value)
  }
  const search = params.toString()
  navigate(window.location.pathname + (search ? `?${search}` : ''), { replace: true })
}
