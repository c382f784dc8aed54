/**
 * The task page is where a notice's reader acts (签收, 反馈, 登记完成, 审批): every notice and calendar event links
 * there. Signing in first returns to the page (`/login?next=`), so the link needs no credential of its own.
 */
export function taskPageUrl(baseUrl: string, taskId: string): string {
  return `${baseUrl}/tasks/${encodeURIComponent(taskId)}`;
}

/** How the link reads for the person who handles the task. */
export const HANDLE_TASK_LABEL = '办理(签收、反馈、登记完成)';

/** Whom a reader without an account (or who forgot the password) asks: the administrators, by name when known. */
export function noAccountHint(adminNames: string[] = []): string {
  const who = adminNames.length ? `系统管理员(${adminNames.join('、')})` : '系统管理员';
  return `没有账号或忘记密码:请联系县(市)乡村振兴局的${who}开通或重置。`;
}
