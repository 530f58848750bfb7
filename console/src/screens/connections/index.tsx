import { Route, Switch } from 'wouter';
import { ConnectionDetail } from './detail';
import { ConnectionList } from './list';
import { NewConnection } from './new';
import './connections.css';

/** Connections (issue 19): upstream OpenID Connect providers and JWT SSO partners, under /console/connections. */
export function ConnectionsArea() {
  return (
    <Switch>
      <Route path="/"><ConnectionList /></Route>
      <Route path="/new"><NewConnection /></Route>
      <Route path="/:id">{(params) => <ConnectionDetail key={params.id} />}</Route>
    </Switch>
  );
}
