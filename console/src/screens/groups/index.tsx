import { Route, Switch } from 'wouter';
import '../users/users.css';
import { GroupDetail } from './group-detail';
import { GroupList } from './group-list';

/** Groups: every group with its member count, and one group's members. */
export function GroupsArea() {
  return (
    <Switch>
      <Route path="/"><GroupList /></Route>
      <Route path="/:name">{(params) => <GroupDetail key={params.name} name={decoded(params.name)} />}</Route>
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
