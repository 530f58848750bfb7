import { useState } from 'react';
import { Route, Switch, useParams } from 'wouter';
import { EditScope, NewScope } from './scope-form';
import { ScopeList } from './scope-list';
import './scopes.css';

/** Scopes: custom scopes (list, create, edit, delete), the standard ones and the APIs, read-only. */
export function ScopesArea() {
  return (
    <Switch>
      <Route path="/"><ListWithNotice /></Route>
      <Route path="/new"><NewScope /></Route>
      <Route path="/:name"><ScopeByName /></Route>
    </Switch>
  );
}

function ListWithNotice() {
  const [notice] = useState<string | undefined>(() => (history.state as { notice?: string } | null)?.notice);
  return <ScopeList notice={notice} />;
}

function ScopeByName() {
  const { name = '' } = useParams<{ name: string }>();
  return <EditScope key={name} name={name} />;
}
