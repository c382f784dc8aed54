import { linkIn } from './links';

/**
 * Plain notification text as robot markdown. `<` `>` become 〈〉 and `[` `]` become ［］: both robots read angle
 * brackets as HTML and brackets as links or images, and a notice quotes reasons people typed. Only the task links
 * the message carries become links.
 */
export function toMarkdown(subject: string, text: string, opts: { paragraphs: boolean; emphasis?: (heading: string) => string; links?: readonly string[] }): string {
  const safe = (s: string) => s.replace(/</g, '〈').replace(/>/g, '〉').replace(/\[/g, '［').replace(/\]/g, '］');
  const heading = safe(subject);
  const lines = text.split('\n').map((l) => {
    const link = linkIn(l, opts.links);
    return link ? `[${safe(link.label)}](${link.url.replace(/\(/g, '%28').replace(/\)/g, '%29')})` : safe(l.trim());
  });
  // DingTalk joins single newlines into one paragraph; WeCom keeps them.
  const body = opts.paragraphs ? lines.filter(Boolean).join('\n\n') : lines.join('\n');
  return `### ${opts.emphasis ? opts.emphasis(heading) : heading}\n${body}`;
}

/** Overdue and escalation notices stand out in the group. */
export function isWarning(subject: string): boolean {
  return /逾期|督办/.test(subject);
}
