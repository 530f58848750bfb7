import { useEffect, useState } from 'react';
import { Redirect, Route, Router, Switch } from 'wouter';
import { onNotAdministrator } from './api/api-client';
import { ApplicationsArea } from './screens/applications';
import { AuditArea } from './screens/audit';
import { BrandingArea } from './screens/branding';
import { ConnectionsArea } from './screens/connections';
import { EmailArea } from './screens/email';
import { GroupsArea } from './screens/groups';
import { KeysArea } from './screens/keys';
import { ScopesArea } from './screens/scopes';
import { NotAdministrator } from './screens/session-pages';
import { SignInSecurityArea } from './screens/sign-in-security';
import { UsersArea } from './screens/users';
import { Layout } from './ui/layout';
import { Page } from './ui/page';
import { EmptyState } from './ui/states';

/** The signed-in console: one area per main screen, each with its own routes under its path. */
export function App() {
  const [refused, setRefused] = useState(false);
  useEffect(() => onNotAdministrator(() => setRefused(true)), []);
  if (refused) return <NotAdministrator />;
  return (
    <Router base="/console">
      <Layout>
        <Switch>
          <Route path="/"><Redirect to="/applications" replace /></Route>
          <Route path="/applications" nest><ApplicationsArea /></Route>
          <Route path="/users" nest><UsersArea /></Route>
          <Route path="/groups" nest><GroupsArea /></Route>
          <Route path="/scopes" nest><ScopesArea /></Route>
          <Route path="/connections" nest><ConnectionsArea /></Route>
          <Route path="/keys" nest><KeysArea /></Route>
          <Route path="/audit" nest><AuditArea /></Route>
          <Route path="/branding" nest><BrandingArea /></Route>
          <Route path="/sign-in-security" nest><SignInSecurityArea /></Route>
          <Route path="/email" nest><EmailArea /></Route>
          <Route>
            <Page title="Not found">
              <EmptyState title="There is no such screen">Pick one from the menu.</EmptyState>
            </Page>
          </Route>
        </Switch>
      </Layout>
    </Router>
  );
}
