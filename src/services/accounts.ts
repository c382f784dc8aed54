import type { Actor } from '../audit/log';
import { AccountStore, type AccountRecord, type TokenRecord } from '../auth/accounts';
import { roleOf, type AccountRole } from '../auth/policy';
import type { Settings } from '../config';
import { UsageError } from '../errors';
import type { Person } from '../shared/types';
import { auditLog, type ServiceContext } from './context';

/**
 * Sign-in accounts and bearer tokens. Every change is audited; passwords, hashes and token secrets never leave
 * the account store except a new token's secret, returned once to whoever created it.
 */

/** What signing in needs: checks only, so the web server holds nothing that changes an account. */
export type SignInAccounts = Pick<AccountStore, 'verify' | 'resolveToken' | 'sessionAccepted'>;

export function signInAccounts(settings: Pick<Settings, 'dataDir'>): SignInAccounts {
  return new AccountStore(settings.dataDir);
}

export type AccountInfo = Omit<AccountRecord, 'passwordHash'>;
export type TokenInfo = Omit<TokenRecord, 'secretHash'>;

/** A password is asked for only once the person is known to qualify, so nobody types one in vain. */
export type PasswordSource = () => Promise<string>;

/** A token as it may be shown: everything but the secret's hash. */
function tokenInfo({ secretHash: _hash, ...token }: TokenRecord): TokenInfo {
  return token;
}

function store(ctx: ServiceContext): AccountStore {
  return new AccountStore(ctx.settings.dataDir);
}

/** Only people in the roster with a role can have an account. */
async function rosterPerson(ctx: ServiceContext, personId: string): Promise<{ person: Person; role: AccountRole }> {
  const person = (await ctx.tree()).person(personId);
  const role = roleOf(person);
  if (!role) throw new UsageError(`${personId} 在名册中没有管理员、督查人员或干部角色,不能开通账号`);
  return { person, role };
}

type AccountAction = 'account.create-admin' | 'account.set-password' | 'account.logout-all' | 'account.disable' | 'token.create' | 'token.revoke';

function record(ctx: ServiceContext, actor: Actor, action: AccountAction, target: string, unitId: string | undefined, detail?: Record<string, unknown>): void {
  auditLog(ctx).record({ actor: actor.id, via: actor.via, action, target, ...(unitId ? { unitId } : {}), ...(detail ? { detail } : {}) });
}

/** The first administrator: the person must have the admin role in the roster and no account yet. */
export async function createAdmin(ctx: ServiceContext, actor: Actor, personId: string, password: PasswordSource): Promise<{ person: Person }> {
  const { person, role } = await rosterPerson(ctx, personId);
  if (role !== 'admin') throw new UsageError(`${personId} 在名册中没有管理员(admin)角色`);
  if (store(ctx).get(personId)) throw new UsageError(`${personId} 已有账号;修改密码请用 duty user set-password ${personId}`);
  await store(ctx).setPassword(personId, await password());
  record(ctx, actor, 'account.create-admin', personId, person.unit);
  return { person };
}

/** Opens an account for a person in the roster, or sets a new password on one, which ends its sessions and tokens. */
export async function setAccountPassword(
  ctx: ServiceContext,
  actor: Actor,
  personId: string,
  password: PasswordSource,
): Promise<{ person: Person; role: AccountRole; created: boolean; tokensRevoked: number }> {
  const { person, role } = await rosterPerson(ctx, personId);
  const { created, tokensRevoked } = await store(ctx).setPassword(personId, await password());
  record(ctx, actor, 'account.set-password', personId, person.unit, { created, tokensRevoked });
  return { person, role, created, tokensRevoked };
}

/** The person's unit for the audit, if they are still in the roster: ending access must work for someone who left. */
async function unitOf(ctx: ServiceContext, personId: string): Promise<string | undefined> {
  const tree = await ctx.tree();
  return tree.hasPerson(personId) ? tree.person(personId).unit : undefined;
}

/** Signs the person out everywhere at once: every session ends and every token is revoked. */
export async function logoutAll(ctx: ServiceContext, actor: Actor, personId: string): Promise<{ tokensRevoked: number }> {
  const s = store(ctx);
  if (!s.get(personId) && !s.tokens().some((t) => t.personId === personId && !t.revokedAt)) throw new UsageError(`${personId} 没有账号,也没有有效的令牌`);
  const ended = s.endSessions(personId);
  record(ctx, actor, 'account.logout-all', personId, await unitOf(ctx, personId), ended);
  return ended;
}

/** No more signing in; sessions and tokens end at once. `setAccountPassword` opens the account again. */
export async function disableAccount(ctx: ServiceContext, actor: Actor, personId: string): Promise<{ tokensRevoked: number }> {
  const disabled = store(ctx).disable(personId);
  if (!disabled) throw new UsageError(`${personId} 还没有账号`);
  record(ctx, actor, 'account.disable', personId, await unitOf(ctx, personId), disabled);
  return disabled;
}

export function listAccounts(ctx: ServiceContext): AccountInfo[] {
  return store(ctx)
    .list()
    .map(({ passwordHash: _hash, ...account }) => account);
}

export function listTokens(ctx: ServiceContext): TokenInfo[] {
  return store(ctx).tokens().map(tokenInfo);
}

/** The whole token is in the answer this once; the audit keeps its id and label only. */
export async function createToken(ctx: ServiceContext, actor: Actor, personId: string, label: string): Promise<{ id: string; token: string }> {
  const { person } = await rosterPerson(ctx, personId);
  const created = store(ctx).createToken(personId, label);
  record(ctx, actor, 'token.create', created.id, person.unit, { personId, label });
  return created;
}

export async function revokeToken(ctx: ServiceContext, actor: Actor, tokenId: string): Promise<TokenInfo> {
  const revoked = store(ctx).revokeToken(tokenId);
  if (!revoked) throw new UsageError(`找不到有效的令牌: ${tokenId}`);
  record(ctx, actor, 'token.revoke', tokenId, await unitOf(ctx, revoked.personId), { personId: revoked.personId });
  return tokenInfo(revoked);
}
