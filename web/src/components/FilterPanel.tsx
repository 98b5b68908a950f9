/** One control per passthrough field: ticks for keywords, a range for numbers, yes/no for booleans. */
import type { FilterControl, FilterSetting } from '../filters.ts';

interface FilterPanelProps {
  controls: FilterControl[];
  settings: Record<string, FilterSetting>;
  onChange(key: string, setting: FilterSetting | null): void;
}

function numberOrNull(text: string): number | null {
  const value = Number(text);
  return text.trim() === '' || !Number.isFinite(value) ? null : value;
}

function Choices({ control, setting, onChange }: { control: Extract<FilterControl, { kind: 'choices' }>; setting: FilterSetting | undefined; onChange: FilterPanelProps['onChange'] }) {
  const chosen = setting?.kind === 'any' ? setting.values : [];
  const toggle = (value: string, on: boolean) => {
    const values = on ? [...chosen, value] : chosen.filter((v) => v !== value);
    onChange(control.key, values.length === 0 ? null : { kind: 'any', values });
  };
  return (
    <div className="choices">
      {control.values.map((value) => (
        <label key={value}>
          <input type="checkbox" checked={chosen.includes(value)} onChange={(e) => toggle(value, e.target.checked)} />
          {value}
        </label>
      ))}
    </div>
  );
}

function Words({ control, onChange }: { control: FilterControl; onChange: FilterPanelProps['onChange'] }) {
  return (
    <input
      type="text"
      placeholder="any of: a, b, c"
      aria-label={`${control.key}: any of`}
      onChange={(e) => {
        const values = e.target.value.split(',').map((v) => v.trim()).filter(Boolean);
        onChange(control.key, values.length === 0 ? null : { kind: 'any', values });
      }}
    />
  );
}

function Range({ control, setting, onChange }: { control: Extract<FilterControl, { kind: 'range' }>; setting: FilterSetting | undefined; onChange: FilterPanelProps['onChange'] }) {
  const range = setting?.kind === 'range' ? setting : { kind: 'range' as const, gte: null, lte: null };
  const set = (bound: 'gte' | 'lte', text: string) => {
    const next = { ...range, [bound]: numberOrNull(text) };
    onChange(control.key, next.gte === null && next.lte === null ? null : next);
  };
  const step = control.integer ? 1 : 'any';
  return (
    <div className="range">
      <input type="number" step={step} placeholder={String(control.min)} aria-label={`${control.key} from`} onChange={(e) => set('gte', e.target.value)} />
      <span>to</span>
      <input type="number" step={step} placeholder={String(control.max)} aria-label={`${control.key} to`} onChange={(e) => set('lte', e.target.value)} />
    </div>
  );
}

function Toggle({ control, setting, onChange }: { control: FilterControl; setting: FilterSetting | undefined; onChange: FilterPanelProps['onChange'] }) {
  const value = setting?.kind === 'bool' ? String(setting.value) : 'any';
  return (
    <div className="toggle" role="radiogroup" aria-label={control.key}>
      {(['any', 'true', 'false'] as const).map((choice) => (
        <label key={choice}>
          <input
            type="radio"
            name={`toggle-${control.key}`}
            checked={value === choice}
            onChange={() => onChange(control.key, choice === 'any' ? null : { kind: 'bool', value: choice === 'true' })}
          />
          {choice === 'any' ? 'any' : choice === 'true' ? 'yes' : 'no'}
        </label>
      ))}
    </div>
  );
}

export function FilterPanel({ controls, settings, onChange }: FilterPanelProps) {
  if (controls.length === 0) return null;
  return (
    <aside className="filters" aria-label="filters">
      <h2>Filters</h2>
      {controls.map((control) => (
        <fieldset key={control.key} data-key={control.key}>
          <legend>{control.key}</legend>
          {control.kind === 'choices' && <Choices control={control} setting={settings[control.key]} onChange={onChange} />}
          {control.kind === 'words' && <Words control={control} onChange={onChange} />}
          {control.kind === 'range' && <Range control={control} setting={settings[control.key]} onChange={onChange} />}
          {control.kind === 'toggle' && <Toggle control={control} setting={settings[control.key]} onChange={onChange} />}
        </fieldset>
      ))}
    </aside>
  );
}
