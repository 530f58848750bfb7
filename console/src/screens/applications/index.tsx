import { Route, Switch } from 'wouter';
import { ApplicationDetail } from './detail';
import { EditApplication } from './edit';
import { ApplicationList } from './list';
import { CreateWizard } from './wizard';
import './applications.css';

/** Applications: the list, the creation wizard, each application's page and its settings form. */
export function ApplicationsArea() {
  return (
    <Switch>
      <Route path="/"><ApplicationList /></Route>
      <Route path="/new"><CreateWizard /></Route>
      <Route path="/:clientId/edit">{({ clientId }) => <EditApplication key={clientId} clientId={clientId} />}</Route>
      <Route path="/:clientId">{({ clientId }) => <ApplicationDetail key={clientId} clientId={clientId} />}</Route>
    </Switch>
  );
}
