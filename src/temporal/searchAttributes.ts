import { type Connection, isGrpcServiceError } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
// The SDK exports this converter for registering search attributes; it saves a direct @temporalio/proto dependency.
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { SEARCH_ATTRIBUTE_TYPES } from '../shared/searchAttributes';

const GRPC_ALREADY_EXISTS = 6;

/** The names `--search-attribute Name=Type` and `temporal operator` use. */
export type SearchAttributeTypeName = 'Text' | 'Keyword' | 'Int' | 'Double' | 'Bool' | 'Datetime' | 'KeywordList';

export function indexedValueType(type: SearchAttributeTypeName): number {
  const sdkType = TypedSearchAttributes.toSearchAttributeType(type);
  const encoded = sdkType && encodeSearchAttributeIndexedValueType(sdkType);
  if (encoded === undefined) throw new Error(`Unknown search attribute type "${type}"`);
  return encoded;
}

/**
 * Registers the project's search attributes on `namespace`; safe to call on every start.
 * Needed beyond `--search-attribute`: the dev server applies that flag only to namespaces it creates
 * in that run, so attributes added to the code later never reach an existing database file.
 * Temporal Cloud refuses the operator API; register there with `tcld` instead.
 */
export async function ensureSearchAttributes(
  connection: Connection,
  namespace: string,
  wanted: Record<string, SearchAttributeTypeName> = SEARCH_ATTRIBUTE_TYPES,
): Promise<void> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const existing = customAttributes ?? {};
  const missing: Record<string, number> = {};
  for (const [name, type] of Object.entries(wanted)) {
    const want = indexedValueType(type);
    const have = existing[name];
    if (have === undefined || have === null) {
      missing[name] = want;
    } else if (Number(have) !== want) {
      // Silently using a differently typed attribute would make every report query fail later.
      throw new Error(
        `Search attribute ${name} exists on namespace "${namespace}" with another type (indexed type ${String(have)}, want ${type}). ` +
          `Remove it (temporal operator search-attribute remove --name ${name}) or rename ours.`,
      );
    }
  }
  if (Object.keys(missing).length === 0) return;
  try {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
  } catch (err) {
    // Another process registered them between our list and add.
    if (isGrpcServiceError(err) && err.code === GRPC_ALREADY_EXISTS) return;
    throw err;
  }
}
