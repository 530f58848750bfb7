import { Route, Switch } from 'wouter';
import { CreateUser } from './user-create';
import { UserDetail } from './user-detail';
import { UserList } from './user-list';
import './users.css';
import { decodedSegment } from '../../ui/path-segment';

/** Users: the list, a new user, and one user's page. */
export function UsersArea() {
  return (
    <Switch>
      <Route path="/"><UserList /></Route>
      <Route path="/new"><CreateUser /></Route>
      <Route path="/:id">{(params) => <UserDetail key={params.id} id={decodedSegment(params.id)} />}</Route>
    </Switch>
  );
}
