// First, so that each screen's own stylesheet comes after the shared one and may refine it.
import './styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { beginSignIn, callbackPath, currentPath, finishSignIn } from './auth/oidc-session';
import { SignInFailed, SignedOut } from './screens/session-pages';

const root = createRoot(document.getElementById('root')!);

/** Signs in first (tokens in memory, so every fresh load does), then shows the console. */
async function start(): Promise<void> {
  const url = new URL(location.href);
  if (url.pathname === callbackPath) {
    const returnTo = await finishSignIn();
    history.replaceState(null, '', returnTo);
  } else if (url.searchParams.get('state') === 'signed-out') {
    history.replaceState(null, '', '/console/');
    root.render(<StrictMode><SignedOut /></StrictMode>);
    return;
  } else {
    await beginSignIn(currentPath());
  }
  root.render(<StrictMode><App /></StrictMode>);
}

start().catch((error: unknown) => {
  // The code and state of a failed callback stay out of the address bar and the history.
  history.replaceState(null, '', '/console/');
  root.render(<StrictMode><SignInFailed message={error instanceof Error ? error.message : String(error)} /></StrictMode>);
});
