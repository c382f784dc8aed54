import { publicBaseUrl } from '../config';
import { taskPageUrl } from '../shared/taskLink';

/** A task id → the address of its page, where the reader of a notice acts. */
export type TaskLink = (taskId: string) => string;

/** Pages on the server people reach: `DUTY_PUBLIC_URL`, else the address the pages listen on. */
export function configuredTaskLink(): TaskLink {
  const base = publicBaseUrl();
  return (taskId) => taskPageUrl(base, taskId);
}

/** How a link reads in plain text; markdown and HTML find it again with `linkIn`. */
export function linkLine(label: string, url: string): string {
  return `${label}:${url}`;
}

/**
 * The link a line of text carries, when it is one the system put there: a URL typed into a reason or note stays
 * plain text, so nobody can slip a button to another site into a notice.
 */
export function linkIn(line: string, links: readonly string[] | undefined): { label: string; url: string } | undefined {
  const match = /^(.*?):(https?:\/\/\S+)$/.exec(line.trim());
  return match?.[1] !== undefined && match[2] !== undefined && links?.includes(match[2]) ? { label: match[1], url: match[2] } : undefined;
}
