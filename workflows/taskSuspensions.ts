import { CancellationScope, isCancellation, setHandler, sleep } from '@temporalio/workflow';
import { liftSuspensionUpdate, type Suspension, suspendTaskUpdate } from '../src/contracts/dutyTask';
import { shanghaiStamp } from '../src/shared/zone';
import { record, refuse } from './support';
import type { TaskRun } from './taskRun';
import { refuseIfClosed, replan } from './taskSteps';

/**
 * Emergencies (紧急情况, e.g. flood season on 洞庭湖): while a window covers the task's unit nothing is sent and
 * nothing escalates; a deadline inside it moves by the working days it covers (planned by the service with the
 * duty's shift rule), and the assignee hears the new deadline once, when the window ends. Lifting undoes the move.
 */
export function registerSuspensions(run: TaskRun): void {
  const { state } = run;
  const watches = new Map<string, CancellationScope>();
  const watch = (s: Suspension) => {
    run.track(() => {
      // Made inside the task's own scope, so closing the task cancels it too.
      const scope = new CancellationScope();
      watches.set(s.emergencyId, scope);
      return scope.run(() => windowTimeline(run, s)).catch(ignoreCancellation);
    });
  };
  for (const s of state.suspensions ?? []) watch(s);

  setHandler(
    suspendTaskUpdate,
    ({ suspension }) => {
      run.leaveHerald();
      (state.suspensions ??= []).push(suspension);
      if (suspension.plan) replan(run, suspension.plan);
      const moved = suspension.plan && suspension.before ? `;截止日 ${suspension.before.dueOn} → ${suspension.plan.dueOn}` : '';
      record(state, 'system', 'suspended', `${suspension.reason}(${shanghaiStamp(suspension.fromAt)} 至 ${shanghaiStamp(suspension.untilAt)})${moved}`);
      run.publish();
      watch(suspension);
      return state;
    },
    {
      validator: ({ by, suspension }) => {
        refuseIfClosed(state);
        if (by !== 'system') refuse('NotAllowed', '只有系统可以按紧急情况暂停任务');
        if (state.suspensions?.some((s) => s.emergencyId === suspension.emergencyId)) refuse('InvalidSuspension', `紧急情况 ${suspension.emergencyId} 已作用于此任务`);
        if (!(Date.parse(suspension.fromAt) < Date.parse(suspension.untilAt))) refuse('InvalidSuspension', '暂停窗口的结束须晚于开始');
      },
    },
  );

  setHandler(
    liftSuspensionUpdate,
    ({ emergencyId }) => {
      const lifted = state.suspensions?.find((s) => s.emergencyId === emergencyId);
      if (!lifted) return state;
      state.suspensions = state.suspensions?.filter((s) => s !== lifted);
      watches.get(emergencyId)?.cancel();
      const restore = lifted.before && lifted.plan && state.dueAt === lifted.plan.dueAt ? lifted.before : undefined;
      if (restore) replan(run, restore);
      record(state, 'system', 'resumed', `紧急情况已撤销${restore ? `;截止日恢复为 ${restore.dueOn}` : ''}`);
      run.publish();
      if (restore) run.sendStep('deadlineChanged', { by: 'system', reason: `紧急情况已撤销:${lifted.reason}`, previousDueOn: lifted.plan?.dueOn });
      return state;
    },
    {
      validator: ({ by }) => {
        refuseIfClosed(state);
        if (by !== 'system') refuse('NotAllowed', '只有系统可以撤销紧急情况');
      },
    },
  );
}

/** The flag shows from the window's start; at its end the flag goes and a moved deadline is told, once. */
async function windowTimeline(run: TaskRun, s: Suspension): Promise<void> {
  // A window already over (a task continued as new after it) was told and recorded in the run before.
  if (Date.parse(s.untilAt) <= Date.now()) return;
  const untilStart = Date.parse(s.fromAt) - Date.now();
  if (untilStart > 0) await sleep(untilStart);
  run.publish();
  const untilEnd = Date.parse(s.untilAt) - Date.now();
  if (untilEnd > 0) await sleep(untilEnd);
  if (run.closed()) return;
  record(run.state, 'system', 'resumed', `紧急情况结束:${s.reason}`);
  run.publish();
  if (s.plan && s.before && run.state.dueAt === s.plan.dueAt) {
    run.sendStep('deadlineChanged', { by: 'system', reason: `紧急情况(${s.reason})期间的截止日顺延`, previousDueOn: s.before.dueOn });
  }
}

function ignoreCancellation(err: unknown): void {
  if (!isCancellation(err)) throw err;
}
