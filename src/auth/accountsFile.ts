import path from 'node:path';
import { JsonFile } from '../store/jsonFile';
import type { AccountChange, AccountRecord, AccountRecords, TokenRecord } from './records';

interface AccountsDoc {
  accounts: Record<string, AccountRecord>;
  tokens: TokenRecord[];
}

/** `<dataDir>/auth/accounts.json`, re-read on every call; one machine, where the CLI and the server take turns. */
export class FileAccountRecords implements AccountRecords {
  private readonly doc: JsonFile<AccountsDoc>;

  constructor(dataDir: string) {
    this.doc = new JsonFile<AccountsDoc>(path.join(dataDir, 'auth', 'accounts.json'), () => ({ accounts: {}, tokens: [] }));
  }

  async get(personId: string): Promise<AccountRecord | undefined> {
    return this.doc.read().accounts[personId];
  }

  async list(): Promise<AccountRecord[]> {
    return Object.values(this.doc.read().accounts);
  }

  async tokens(): Promise<TokenRecord[]> {
    return this.doc.read().tokens;
  }

  async token(id: string): Promise<TokenRecord | undefined> {
    return this.doc.read().tokens.find((t) => t.id === id);
  }

  async change(personId: string, at: string, decide: (account: AccountRecord | undefined) => AccountChange | undefined): Promise<{ before?: AccountRecord; tokensRevoked: number }> {
    const d = this.doc.read();
    const before = d.accounts[personId];
    const change = decide(before);
    if (!change) return { before, tokensRevoked: 0 };
    if (change.account) d.accounts[personId] = change.account;
    const live = change.revokeTokens ? d.tokens.filter((t) => t.personId === personId && !t.revokedAt) : [];
    for (const t of live) t.revokedAt = at;
    if (change.addToken) d.tokens.push(change.addToken);
    this.doc.write(d);
    return { before, tokensRevoked: live.length };
  }

  async revokeToken(id: string, at: string): Promise<TokenRecord | undefined> {
    let found: TokenRecord | undefined;
    this.doc.update((d) => {
      found = d.tokens.find((t) => t.id === id && !t.revokedAt);
      if (found) found.revokedAt = at;
      return d;
    });
    return found;
  }
}
