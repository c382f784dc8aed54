import { randomInt } from 'node:crypto';
import type { Actor } from '../audit/log';
import { acceptsSession, accountStore, type AccountRecord, type AccountStore, type SessionStart, type TokenRecord } from '../auth/accounts';

/** The pages say the rule the store enforces. */
export { MIN_PASSWORD_LENGTH } from '../auth/accounts';
import { roleOf, type AccountRole } from '../auth/policy';
import { storeBackend, type StoreBackend } from '../store/backend';
import { UsageError } from '../errors';
import type { Person } from '../shared/types';
import { recordAudit, type ServiceContext } from './context';

/**
 * Sign-in accounts and bearer tokens. Every change is audited; passwords, hashes and token secrets never leave
 * the account store except a new token's secret, returned once to whoever created it.
 */

/** What signing in needs: checks only, so the web server holds nothing that changes an account. */
export type SignInAccounts = Pick<AccountStore, 'verify' | 'resolveToken' | 'sessionAccepted'>;

export function signInAccounts(backend: StoreBackend): SignInAccounts {
  return accountStore(backend);
}

export type AccountInfo = Omit<AccountRecord, 'passwordHash'>;
export type TokenInfo = Omit<TokenRecord, 'secretHash'>;

/** A password is asked for only once the person is known to qualify, so nobody types one in vain. */
export type PasswordSource = () => Promise<string>;

/** A token as it may be shown: everything but the secret's hash. */
function tokenInfo({ secretHash: _hash, ...token }: TokenRecord): TokenInfo {
  return token;
}

async function store(ctx: ServiceContext): Promise<AccountStore> {
  return accountStore(await storeBackend(ctx.settings));
}

/** Only people in the roster with a role can have an account. */
async function rosterPerson(ctx: ServiceContext, personId: string): Promise<{ person: Person; role: AccountRole }> {
  const person = (await ctx.tree()).person(personId);
  const role = roleOf(person);
  if (!role) throw new UsageError(`${personId} 在名册中没有管理员、督查人员或干部角色,不能开通账号`);
  return { person, role };
}

type AccountAction = 'account.create-admin' | 'account.set-password' | 'account.logout-all' | 'account.disable' | 'account.enable' | 'token.create' | 'token.revoke';

async function record(ctx: ServiceContext, actor: Actor, action: AccountAction, target: string, unitId: string | undefined, detail?: Record<string, unknown>): Promise<void> {
  await recordAudit(ctx, { actor: actor.id, via: actor.via, action, target, ...(unitId ? { unitId } : {}), ...(detail ? { detail } : {}) });
}

/** The first administrator: the person must have the admin role in the roster and no account yet. */
export async function createAdmin(ctx: ServiceContext, actor: Actor, personId: string, password: PasswordSource): Promise<{ person: Person }> {
  const { person, role } = await rosterPerson(ctx, personId);
  if (role !== 'admin') throw new UsageError(`${personId} 在名册中没有管理员(admin)角色`);
  const s = await store(ctx);
  if (await s.get(personId)) throw new UsageError(`${personId} 已有账号;修改密码请用 duty user set-password ${personId}`);
  await s.setPassword(personId, await password());
  await record(ctx, actor, 'account.create-admin', personId, person.unit);
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
  const { created, tokensRevoked } = await (await store(ctx)).setPassword(personId, await password());
  await record(ctx, actor, 'account.set-password', personId, person.unit, { created, tokensRevoked });
  return { person, role, created, tokensRevoked };
}

/** The person's unit for the audit, if they are still in the roster: ending access must work for someone who left. */
async function unitOf(ctx: ServiceContext, personId: string): Promise<string | undefined> {
  const tree = await ctx.tree();
  return tree.hasPerson(personId) ? tree.person(personId).unit : undefined;
}

/** Signs the person out everywhere at once: every session ends and every token is revoked. */
export async function logoutAll(ctx: ServiceContext, actor: Actor, personId: string): Promise<{ tokensRevoked: number }> {
  const s = await store(ctx);
  if (!(await s.get(personId)) && !(await s.tokens()).some((t) => t.personId === personId && !t.revokedAt)) throw new UsageError(`${personId} 没有账号,也没有有效的令牌`);
  const ended = await s.endSessions(personId);
  await record(ctx, actor, 'account.logout-all', personId, await unitOf(ctx, personId), ended);
  return ended;
}

/** Also shown beside one's own account on the accounts page, where the button is left out. */
export const SELF_DISABLE_REFUSED = '不能停用自己的账号:停用会立即结束您的会话,您也无法再登录;如确需停用,请由另一位管理员操作';

/** No more signing in; sessions and tokens end at once. `setAccountPassword` opens the account again. */
export async function disableAccount(ctx: ServiceContext, actor: Actor, personId: string): Promise<{ tokensRevoked: number }> {
  // The session asking would end with it, and a sole administrator would lock everyone out of the pages.
  if (actor.id === personId) throw new UsageError(SELF_DISABLE_REFUSED);
  const disabled = await (await store(ctx)).disable(personId);
  if (!disabled) throw new UsageError(`${personId} 还没有账号`);
  await record(ctx, actor, 'account.disable', personId, await unitOf(ctx, personId), disabled);
  return disabled;
}

export type AccountState = 'none' | 'active' | 'disabled';

function stateOf(account: AccountRecord | undefined): AccountState {
  return !account ? 'none' : account.disabledAt ? 'disabled' : 'active';
}

/** One person as the accounts page lists them. */
export interface AccountOverview {
  personId: string;
  /** Absent when the person has left the roster but their account remains: it can still be disabled. */
  person?: Person;
  /** Absent when the roster no longer gives the person a role that may sign in. */
  role?: AccountRole;
  state: AccountState;
  account?: AccountInfo;
  /** The newest sign-in among the sessions the server still holds; older ones are forgotten. */
  lastSignInAt?: string;
  /** Sessions that are still accepted, and tokens not revoked. */
  sessions: number;
  tokens: number;
}

/**
 * Everyone in the roster who may have an account, in roster order, then accounts whose person left the roster or
 * lost their role. `sessions`: the server's unexpired sessions, whether or not their account still accepts them.
 */
export async function accountOverview(ctx: ServiceContext, sessions: readonly SessionStart[]): Promise<AccountOverview[]> {
  const tree = await ctx.tree();
  const s = await store(ctx);
  const accounts = new Map((await s.list()).map((a) => [a.personId, a]));
  const liveTokens = (await s.tokens()).filter((t) => !t.revokedAt);
  const eligible = tree.roster.people.filter((p) => roleOf(p)).map((p) => p.id);
  const ids = [...new Set([...eligible, ...accounts.keys()])];
  return ids.map((personId) => {
    const person = tree.hasPerson(personId) ? tree.person(personId) : undefined;
    const role = person && roleOf(person);
    const record = accounts.get(personId);
    const mine = sessions.filter((x) => x.personId === personId);
    const lastSignInAt = mine.map((x) => x.createdAt).sort().at(-1);
    return {
      personId,
      ...(person ? { person } : {}),
      ...(role ? { role } : {}),
      state: stateOf(record),
      ...(record ? { account: withoutHash(record) } : {}),
      ...(lastSignInAt ? { lastSignInAt } : {}),
      sessions: mine.filter((x) => acceptsSession(record, x)).length,
      tokens: liveTokens.filter((t) => t.personId === personId).length,
    };
  });
}

/** What the pages offer, each from one state: a page left open while someone else acted cannot reset or reopen by surprise. */
export type PasswordChange = 'open' | 'reset' | 'enable';
const CHANGE_FROM: Record<PasswordChange, AccountState> = { open: 'none', reset: 'active', enable: 'disabled' };
const CHANGE_NAMES: Record<PasswordChange, string> = { open: '开通账号', reset: '重置密码', enable: '重新启用' };
const STATE_WORDS: Record<AccountState, string> = { none: '还没有账号', active: '的账号正在使用', disabled: '的账号已停用' };

/**
 * Opens an account, resets its password, or re-enables a disabled one with a new password: the rules of
 * `setAccountPassword` (roster role, password length), and every session and token of the person ends.
 */
export async function changePassword(
  ctx: ServiceContext,
  actor: Actor,
  personId: string,
  change: PasswordChange,
  password: PasswordSource,
): Promise<{ person: Person; role: AccountRole; tokensRevoked: number }> {
  const { person, role } = await rosterPerson(ctx, personId);
  const s = await store(ctx);
  const state = stateOf(await s.get(personId));
  if (state !== CHANGE_FROM[change]) throw new UsageError(`${personId}(${person.name})${STATE_WORDS[state]},不能${CHANGE_NAMES[change]}`);
  if (change !== 'enable') return setAccountPassword(ctx, actor, personId, password);
  const { tokensRevoked } = await s.setPassword(personId, await password());
  await record(ctx, actor, 'account.enable', personId, person.unit);
  return { person, role, tokensRevoked };
}

// No 0/o, 1/l/i: a password read out over the phone is typed without mix-ups.
const PASSWORD_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** An initial password for the administrator to hand over: 12 of 31 characters, about 59 bits. */
export function generatePassword(length = 12): string {
  return Array.from({ length }, () => PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)]).join('');
}

function withoutHash({ passwordHash: _hash, ...account }: AccountRecord): AccountInfo {
  return account;
}

export async function listAccounts(ctx: ServiceContext): Promise<AccountInfo[]> {
  return (await (await store(ctx)).list()).map(withoutHash);
}

export async function listTokens(ctx: ServiceContext): Promise<TokenInfo[]> {
  return (await (await store(ctx)).tokens()).map(tokenInfo);
}

/** The whole token is in the answer this once; the audit keeps its id and label only. */
export async function createToken(ctx: ServiceContext, actor: Actor, personId: string, label: string): Promise<{ id: string; token: string }> {
  const { person } = await rosterPerson(ctx, personId);
  const created = await (await store(ctx)).createToken(personId, label);
  await record(ctx, actor, 'token.create', created.id, person.unit, { personId, label });
  return created;
}

export async function revokeToken(ctx: ServiceContext, actor: Actor, tokenId: string): Promise<TokenInfo> {
  const revoked = await (await store(ctx)).revokeToken(tokenId);
  if (!revoked) throw new UsageError(`找不到有效的令牌: ${tokenId}`);
  await record(ctx, actor, 'token.revoke', tokenId, await unitOf(ctx, revoked.personId), { personId: revoked.personId });
  return tokenInfo(revoked);
}
