import type { OrgTree } from '../roster/orgTree';
import { roleOf, type AccountRole, type Viewer } from './policy';

/** A signed-in person. Role and unit come from the current roster, so a roster change takes effect at once. */
export interface Principal extends Viewer {
  personId: string;
  role: AccountRole;
  name: string;
  unitId: string;
  via: 'session' | 'token';
}

export function principalFor(tree: OrgTree, personId: string, via: Principal['via']): Principal | undefined {
  if (!tree.hasPerson(personId)) return undefined;
  const person = tree.person(personId);
  const role = roleOf(person);
  return role ? { personId, role, name: person.name, unitId: person.unit, via } : undefined;
}
