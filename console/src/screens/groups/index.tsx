import { Route, Switch } from 'wouter';
import '../users/users.css';
import { GroupDetail } from './group-detail';
import { GroupList } from './group-list';
import { decodedSegment } from '../../ui/path-segment';

/** Groups: every group with its member count, and one group's members. */
export function GroupsArea() {
  return (
    <Switch>
      <Route path="/"><GroupList /></Route>
      <Route path="/:name">{(params) => <GroupDetail key={params.name} name={decodedSegment(params.name)} />}</Route>
    </Switch>
  );
}
