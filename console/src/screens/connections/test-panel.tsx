import { useState } from 'react';
import { api } from '../../api/api-client';
import { Section } from '../../ui/page';
import { ErrorNotice, Loading } from '../../ui/states';
import type { Connection, TestReport } from './types';

/** The checks' names in words (src/connections/test-connection.ts, test-partner-connection.ts). */
const checkNames: Record<string, string> = {
  metadata: 'Provider metadata',
  issuer: 'Issuer',
  endpoints: 'Endpoints',
  jwks: 'Signing keys',
  client_credentials: 'Client ID and secret',
  key: 'Verification key',
};

/**
 * Test connection (POST /connections/{id}/test): each check with its result and reason, then, for
 * an upstream whose checks all pass, a real sign-in that ends on Gatehouse's page listing the
 * claims received and the account they map to, creating nothing.
 */
export function TestPanel({ connection }: { connection: Connection }) {
  const [report, setReport] = useState<TestReport>();
  const [error, setError] = useState<Error>();
  const [running, setRunning] = useState(false);
  const upstream = connection.type === 'oidc';

  async function run() {
    setRunning(true);
    setError(undefined);
    try {
      setReport(await api<TestReport>('POST', `/connections/${encodeURIComponent(connection.id)}/test`));
    } catch (caught) {
      setReport(undefined);
      setError(caught instanceof Error ? caught : new Error(String(caught)));
    } finally {
      setRunning(false);
    }
  }

  const passed = report?.checks.filter((check) => check.ok).length ?? 0;
  return (
    <Section
      title="Test connection"
      actions={<button type="button" className="button button-primary" onClick={() => void run()} disabled={running}>{running ? 'Testing…' : report ? 'Test again' : 'Test connection'}</button>}
    >
      <p className="section-description">
        {upstream
          ? 'Reads the provider\'s discovery document, checks its issuer, endpoints and keys, and asks its token endpoint whether it accepts the client ID and secret. Then a real sign-in shows the claims, creating nothing.'
          : 'Checks that the partner\'s tokens can be verified: the secret or public key, or the key set fetched now as a sign-in would.'}
      </p>
      <ErrorNotice error={error} />
      <div className="test-result" aria-live="polite">
        {running && <Loading rows={upstream ? 5 : 1} />}
        {!running && report && (
          <>
            <div className={report.ok ? 'notice notice-success' : 'notice notice-error'} role="status">
              {report.ok
                ? `Every check passed (${passed} of ${report.checks.length}).`
                : `${report.checks.length - passed} of ${report.checks.length} checks failed: the reasons are below.`}
            </div>
            <ul className="checks">
              {report.checks.map((check) => (
                <li key={check.check} className="check">
                  <span className={check.ok ? 'badge badge-good' : 'badge badge-bad'}>{check.ok ? 'Pass' : 'Fail'}</span>
                  <div className="check-text">
                    <strong>{checkNames[check.check] ?? check.check}</strong> <code className="check-code">{check.check}</code>
                    <p className="check-detail">{check.detail}</p>
                  </div>
                </li>
              ))}
            </ul>
            {report.sign_in_url && (
              <div className="round-trip">
                <h3>Sign in for real</h3>
                <p>
                  Opens {connection.name} in a new tab. Sign in there; Gatehouse then shows the claims it received and the account
                  they map to, without creating a user, a link or a session. The link works in this browser for 15 minutes.
                </p>
                <a className="button button-primary" href={report.sign_in_url} target="_blank" rel="noopener">Open the test sign-in</a>
              </div>
            )}
            {upstream && !report.ok && <p className="field-hint">The test sign-in is offered once every check passes.</p>}
            {!upstream && report.ok && connection.enabled && (
              <p className="field-hint">To try the whole round trip, sign in through <code>/login/sso/{connection.id}</code> with the partner&apos;s page in place.</p>
            )}
          </>
        )}
      </div>
    </Section>
  );
}
