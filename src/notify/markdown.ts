/**
 * Plain notification text as robot markdown. `<` and `>` become 〈〉: both robots treat angle brackets as HTML
 * and would swallow placeholders such as <您的人员编号>.
 */
export function toMarkdown(subject: string, text: string, opts: { paragraphs: boolean; emphasis?: (heading: string) => string }): string {
  const safe = (s: string) => s.replace(/</g, '〈').replace(/>/g, '〉');
  const heading = safe(subject);
  const lines = text.split('\n').map((l) => safe(l.trim()));
  // DingTalk joins single newlines into one paragraph; WeCom keeps them.
  const body = opts.paragraphs ? lines.filter(Boolean).join('\n\n') : lines.join('\n');
  return `### ${opts.emphasis ? opts.emphasis(heading) : heading}\n${body}`;
}

/** Overdue and escalation notices stand out in the group. */
export function isWarning(subject: string): boolean {
  return /逾期|督办/.test(subject);
}
