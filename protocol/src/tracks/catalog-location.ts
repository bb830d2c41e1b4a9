/**
 * The track catalog shipped with Pitwall (`resources/tracks/catalog.json`) as a file URL, for
 * the Node readers on both sides (`readFile` takes it as is). The one place that names it.
 */
export const DEFAULT_TRACK_CATALOG = new URL('../../../resources/tracks/catalog.json', import.meta.url);
