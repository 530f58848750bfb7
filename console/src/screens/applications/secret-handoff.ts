import { shownOnce } from '../../ui/shown-once';

/** A secret of an application's creation, rotation or change, until its detail page shows it. */
export const applicationSecrets = shownOnce();
