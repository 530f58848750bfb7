/**
 * A record of an import file: the line it starts on and the user it describes, in the
 * configuration file's field names and not yet validated; or why it cannot be read.
 */
export type SourceRecord = { line: number; size: number; value: Record<string, unknown> } | { line: number; error: string };
