import { beginSignIn, signOut } from '../auth/oidc-session';
import { Standalone } from '../ui/standalone';

export function SignedOut() {
  return (
    <Standalone title="You are signed out">
      <p>You signed out of Gatehouse and its console.</p>
      <button type="button" className="button button-primary" onClick={() => void beginSignIn('/console/')}>Sign in again</button>
    </Standalone>
  );
}

export function SignInFailed({ message }: { message: string }) {
  return (
    <Standalone title="The sign-in did not complete">
      <p role="alert">{message}</p>
      <button type="button" className="button button-primary" onClick={() => void beginSignIn('/console/')}>Sign in again</button>
    </Standalone>
  );
}

export function NotAdministrator() {
  return (
    <Standalone title="Not an administrator">
      <p>You are signed in, but your account is not a member of the <code>gatehouse-admins</code> group, so the console cannot show or change anything.</p>
      <p>Ask an administrator to add you to <code>gatehouse-admins</code>, then sign in again.</p>
      <button type="button" className="button" onClick={() => void signOut()}>Sign out</button>
    </Standalone>
  );
}
