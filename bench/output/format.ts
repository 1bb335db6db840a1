const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export const formatInteger = (value: number): string => integer.format(value);

/** Two significant decimals below 10, none above: `0.42`, `3.1`, `812`. */
export const formatShort = (value: number): string =>
  value >= 100 ? integer.format(value) : value >= 10 ? value.toFixed(1) : value.toFixed(2);

export const formatRatio = (ratio: number): string => `${ratio >= 10 ? ratio.toFixed(1) : ratio.toFixed(3)}×`;

export const formatPercent = (fraction: number): string => `${(fraction * 100).toFixed(fraction < 0.01 ? 3 : 2)}%`;
