import { useEffect, useState } from 'preact/hooks'
import { SignIn } from './components/sign-in.js'
import { storedToken, storeToken, UNAUTHENTICATED_EVENT } from './lib/api-client.js'
import { interceptLinks, useLocation } from './lib/router.js'
import { matchRoute, NAV_ITEMS } from './routes.js'

function Nav({ path, onSignOut }: { path: string; onSignOut?: () => void }) {
  return (
    <nav class="nav" aria-label="Main">
      <div class="brand">Plinth</div>
      {NAV_ITEMS.map((item) => (
        <a key={item.href} href={item.href} aria-current={item.match.test(path) ? 'page' : undefined}>
          {item.label}
        </a>
      ))}
      <div class="spacer" />
      {onSignOut && (
        <>
          <div class="who">Signed in with a token</div>
          <button type="button" onClick={onSignOut}>
            Sign out
          </button>
        </>
      )}
    </nav>
  )
}

/** The shell: left navigation, the routed page, and the token sign-in when the server asks for one. */
export function App() {
  const location = useLocation()
  const [signIn, setSignIn] = useState<string | undefined>()
  const [session, setSession] = useState(0)
  useEffect(() => {
    const onUnauthenticated = (event: Event) => setSignIn((event as CustomEvent<string>).detail)
    window.addEventListener(UNAUTHENTICATED_EVENT, onUnauthenticated)
    document.addEventListener('click', interceptLinks)
    return () => {
      window.removeEventListener(UNAUTHENTICATED_EVENT, onUnauthenticated)
      document.removeEventListener('click', interceptLinks)
    }
  }, [])
  const route = matchRoute(location.path)
  useEffect(() => {
    document.title = route ? `${route.title(location)} · Plinth` : 'Plinth'
  }, [location.path, location.params.toString()])
  if (signIn !== undefined) {
    return (
      <SignIn
        reason={signIn}
        onToken={(token) => {
          storeToken(token)
          setSignIn(undefined)
          setSession((s) => s + 1)
        }}
      />
    )
  }
  const signOut = storedToken()
    ? () => {
        storeToken(null)
        setSession((s) => s + 1)
      }
    : undefined
  return (
    <div class="layout">
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <Nav path={location.path} onSignOut={signOut} />
      <main id="main" tabIndex={-1} key={session}>
        {route ? route.render(location) : <NotFound path={location.path} />}
      </main>
    </div>
  )
}

function NotFound({ path }: { path: string }) {
  return (
    <div class="message error" role="alert">
      <strong>No page at {path}</strong>
      <p>
        Try <a href="/experiments">Experiments</a> or <a href="/models">Models</a>.
      </p>
    </div>
  )
}
