/** A JSON object (not null, not an array): what every reader of annotation JSON checks before looking inside. */
export type JsonObject = Record<string, unknown>;

export const isJsonObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
