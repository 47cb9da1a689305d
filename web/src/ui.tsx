// Small building blocks: a labelled field that shows the API's error for it, and a loading/empty list.
import type { ComponentChildren } from 'preact';
import { useI18n } from './i18n/index.ts';

/** A label around its control, with a hint and the field's error tied to it (aria-describedby, aria-invalid). */
export function Field(props: { id: string; label: string; error?: string | undefined; hint?: string; children: (aria: Record<string, string | boolean>) => ComponentChildren }) {
  const { t } = useI18n();
  const described = [props.hint ? `${props.id}-hint` : '', props.error ? `${props.id}-error` : ''].filter(Boolean).join(' ');
  const aria: Record<string, string | boolean> = { id: props.id, 'aria-invalid': Boolean(props.error) };
  if (described) aria['aria-describedby'] = described;
  return (
    <div class={props.error ? 'field invalid' : 'field'}>
      <label for={props.id}>{props.label}</label>
      {props.hint ? (
        <span class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </span>
      ) : null}
      {props.children(aria)}
      {props.error ? (
        <span class="field-error" id={`${props.id}-error`} data-field-error>
          {t.apiMessage(props.error)}
        </span>
      ) : null}
    </div>
  );
}

/** A list that says so while loading and when empty. */
export function ListState<T>(props: { items: T[] | undefined; empty: string; id?: string; render: (item: T) => ComponentChildren }) {
  const { t } = useI18n();
  if (props.items === undefined)
    return (
      <p class="hint" aria-busy="true">
        {t.loading}
      </p>
    );
  if (props.items.length === 0) return <p class="hint empty">{props.empty}</p>;
  return (
    <ul class="list" id={props.id}>
      {props.items.map(props.render)}
    </ul>
  );
}

/** The values of a form's named fields, empty ones left out. */
export function formValues(form: HTMLFormElement): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new FormData(form)) if (typeof v === 'string' && v.trim() !== '') out[k] = v.trim();
  return out;
}
