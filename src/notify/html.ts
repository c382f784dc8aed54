import { linkIn } from './links';

/** Single quotes: it sits inside a double-quoted style attribute. */
const FONT = "-apple-system,BlinkMacSystemFont,'PingFang SC','Microsoft YaHei','Noto Sans CJK SC',sans-serif";
const STYLE = {
  body: 'margin:0;padding:0;background-color:#f4f5f7;',
  card: `max-width:600px;margin:0 auto;padding:20px 16px;background-color:#ffffff;font-family:${FONT};font-size:16px;line-height:1.6;color:#1f2329;`,
  paragraph: 'margin:0 0 12px;',
  label: 'margin:16px 0 6px;font-size:14px;color:#646a73;',
  button: 'display:inline-block;padding:12px 28px;background-color:#1664ff;color:#ffffff;font-size:17px;font-weight:bold;line-height:1.2;text-decoration:none;border-radius:6px;',
  address: 'margin:6px 0 16px;font-size:12px;color:#8f959e;word-break:break-all;',
};

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Big enough for a thumb, with the address below it for a client that shows no buttons. */
function button(link: { label: string; url: string }): string {
  const url = escape(link.url);
  return [
    `<p style="${STYLE.label}">${escape(link.label)}</p>`,
    `<p style="margin:0;"><a href="${url}" style="${STYLE.button}" target="_blank">打开任务</a></p>`,
    `<p style="${STYLE.address}">${url}</p>`,
  ].join('\n');
}

/**
 * The HTML part of a notice mail: the text part's lines, escaped, in paragraphs, and each task link as a button.
 * Inline styles only and one narrow column: phone mail apps drop `<style>` blocks and show mail at their own width.
 */
export function toHtml(subject: string, text: string, links: readonly string[] | undefined): string {
  const blocks: string[] = [];
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length > 0) blocks.push(`<p style="${STYLE.paragraph}">${paragraph.join('<br>\n')}</p>`);
    paragraph = [];
  };
  for (const line of text.split('\n')) {
    const link = linkIn(line, links);
    if (link) {
      flush();
      blocks.push(button(link));
    } else if (line.trim() === '') flush();
    else paragraph.push(escape(line.trim()));
  }
  flush();
  return [
    '<!DOCTYPE html>',
    `<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(subject)}</title></head>`,
    `<body style="${STYLE.body}"><div style="${STYLE.card}">`,
    ...blocks,
    '</div></body></html>',
  ].join('\n');
}
