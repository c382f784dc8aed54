import type { z } from 'zod';
import type { PathIssue, PathSegment } from './yamlSource';

/** Turns zod issues (relative to `prefix`) into path issues; an unknown-keys issue becomes one issue per key. */
export function fromZod(issues: readonly z.core.$ZodIssue[], prefix: readonly PathSegment[] = []): PathIssue[] {
  return issues.flatMap((issue): PathIssue[] => {
    const path = [...prefix, ...issue.path.filter((seg): seg is PathSegment => typeof seg !== 'symbol')];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: [...path, key], message: '未知字段', atKey: true }));
    }
    return [{ path, message: issue.message }];
  });
}
