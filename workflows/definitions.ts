import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { CompletionRequest, TaskState, WaiverRequest } from '../src/shared/task';

/** Clients import these from here, so the names used by the CLI and the workflow never drift. */
export const completeTaskUpdate = defineUpdate<TaskState, [CompletionRequest]>('complete');
export const waiveTaskUpdate = defineUpdate<TaskState, [WaiverRequest]>('waive');
export const taskStateQuery = defineQuery<TaskState>('state');
