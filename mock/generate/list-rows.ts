import type { GenerationContext } from "./generation-context.js";
import { readPath } from "./read-path.js";
import { readTable, type Row } from "./tables.js";
import { toSearchTitle, type ListRowsSpec } from "./value-generators.js";
import { isUnsearchable, readKeyword, toLowerAscii } from "./search-keyword.js";

/** The rows of one list, for one answer: the row of the item at a position (counted over all pages), real or made up. */
export type RowAt = (position: number) => Row;

/**
 * Compiles a list's `rows`: the table's rows that match the request, in table order, one per
 * position, so that a page shows distinct rows and the pages of one search do not repeat a row;
 * positions beyond them get a made-up row, holding only a title (containing the keyword) in the
 * `title` column: the items' other members use their `else` pattern.
 */
export function compileListRows(spec: ListRowsSpec, file: string): (ctx: GenerationContext) => RowAt {
  const rows = readTable(spec.table);
  const where = Object.entries(spec.where ?? {});
  const { keyword: keywordPath, title } = spec;
  if (keywordPath && !title) throw new Error(`Failed to compile x-mock in "${file}": a list's rows with a keyword need the title column.`);
  return (ctx) => {
    const request = ctx.request;
    const equal = where.map(([column, path]) => [column, readPath(request, path)] as const).filter(([, v]) => v !== undefined && v !== null && v !== "");
    const unsearchable = keywordPath !== undefined && isUnsearchable(request, keywordPath);
    const keyword = keywordPath !== undefined ? readKeyword(request, keywordPath) : undefined;
    const searched = keyword === undefined ? undefined : toLowerAscii(keyword);
    const matches = unsearchable
      ? []
      : rows.filter(
          (row) =>
            equal.every(([column, v]) => String(row[column]) === String(v)) &&
            (searched === undefined || toLowerAscii(String(row[title!] ?? "")).includes(searched)),
        );
    return (position) => {
      if (position < matches.length) return matches[position]!;
      return title ? { [title]: toSearchTitle(ctx, keyword) } : {};
    };
  };
}
