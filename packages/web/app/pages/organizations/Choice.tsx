/** A labelled drop-down of a few values: roles, vaults, people, groups. */
import { useId } from 'react';

export interface ChoiceOption<T extends string> {
  readonly value: T;
  readonly label: string;
}

export function Choice<T extends string>(props: {
  label: string;
  value: T;
  options: readonly ChoiceOption<T>[];
  onChange: (value: T) => void;
  disabled?: boolean;
}) {
  const { label, value, options, onChange, disabled } = props;
  // A label of its own (not wrapping the select), so the control's name is the label alone.
  const id = useId();
  return (
    <span className="field choice">
      <label htmlFor={id}>{label}</label>{' '}
      <select id={id} value={value} disabled={disabled} onChange={(e) => onChange(e.target.value as T)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </span>
  );
}

/** The same value as its own label, for roles. */
export const plainOptions = <T extends string>(values: readonly T[]): ChoiceOption<T>[] => values.map((value) => ({ value, label: value }));
