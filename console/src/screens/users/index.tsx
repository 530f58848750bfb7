import { Route, Switch } from 'wouter';
import { CreateUser } from './user-create';
import { UserDetail } from './user-detail';
import { UserList } from './user-list';
import './users.css';

/** Users: the list, a new user, and one user's page. */
export function UsersArea() {
  return (
    <Switch>
      <Route path="/"><UserList /></Route>
      <Route path="/new"><CreateUser /></Route>
      <Route path="/:id">{(params) => <UserDetail key={params.id} id={decoded(params.id)} />}</Route>
    </Switch>
  );
}

/** A path segment as the router gives it (decodeURI'd: an encoded slash is still encoded). */
function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
