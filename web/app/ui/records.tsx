// The shape every admin record takes on screen: a list page (what the records are, a
// button for a new one, a table whose first column links to each) and a record's page
// (a link back to the list, its heading, what failed).

import type { ComponentChildren } from "preact";
import type { ApiError } from "../api";
import { href } from "../router";

export interface Column<T> {
  header: string;
  cell: (row: T) => ComponentChildren;
}

interface ListProps<T> {
  kind: string; // the route segment: #/admin/<kind>/<id>
  title: string;
  intro: ComponentChildren;
  newLabel: string;
  rows: T[] | null; // null while loading
  error: ApiError | null;
  empty: string;
  name: (row: T) => ComponentChildren; // the first column, a link to the record
  columns: Column<T>[];
  children?: ComponentChildren; // between the button and the table (a search)
}

export function RecordList<T extends { id: string }>(props: ListProps<T>) {
  const { kind, title, rows, error, columns } = props;
  return (
    <div class="page">
      <h2>{title}</h2>
      <p>{props.intro}</p>
      <p><a class="button" href={href("admin", kind, "new")}>{props.newLabel}</a></p>
      {props.children}
      {error ? <p class="notice error" role="alert">{error.message}</p> : null}
      {rows && rows.length === 0 ? <p class="muted">{props.empty}</p> : null}
      {rows && rows.length > 0 ? (
        <table>
          <caption class="visually-hidden">{title}</caption>
          <thead>
            <tr><th scope="col">Name</th>{columns.map((c) => <th key={c.header} scope="col">{c.header}</th>)}</tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.id}>
                <td><a href={href("admin", kind, row.id)}>{props.name(row)}</a></td>
                {columns.map((c) => <td key={c.header}>{c.cell(row)}</td>)}
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}

interface PageProps {
  kind: string;
  back: string; // "All accounts"
  title?: ComponentChildren; // none until the record is read
  error: ApiError | null;
  children?: ComponentChildren;
}

export function RecordPage({ kind, back, title, error, children }: PageProps) {
  return (
    <div class="page">
      <p><a href={href("admin", kind)}>{back}</a></p>
      {title ? <h2>{title}</h2> : null}
      {error ? <p class="notice error" role="alert">{error.message}</p> : null}
      {children}
    </div>
  );
}
