/**
 * The demo pump skid's signal list: one place that says what each signal means, its unit, what is
 * normal, and where it lives on the demo OPC UA and Modbus servers. Everything else (model output,
 * servers, pre-configured devices) is derived from this list so they cannot drift apart.
 */

export type SignalKind = 'bool' | 'number';

export interface Range {
  min: number;
  max: number;
}

export interface SignalDef {
  key: string;
  name: string;
  unit: string;
  description: string;
  kind: SignalKind;
  /** Operating range; values outside are the excursions alarm rules are meant to catch. */
  normal: Range;
  /** Physical limits: the model never leaves these. */
  bounds: Range;
}

export interface SignalMeta extends SignalDef {
  browseName: string;
  /** Node id on the demo OPC UA server (its own namespace is ns=1). */
  nodeId: string;
  modbus: { area: 'holding' | 'coil'; address: number; dataType: 'float32' | 'bool'; wordOrder: 'ABCD' };
}

const defs: SignalDef[] = [
  {
    key: 'P101.Running',
    name: 'P-101 running',
    unit: '',
    kind: 'bool',
    description: 'Duty pump P-101 run feedback',
    normal: { min: 0, max: 1 },
    bounds: { min: 0, max: 1 },
  },
  {
    key: 'P101.Speed',
    name: 'P-101 speed',
    unit: '%',
    kind: 'number',
    description: 'VFD speed of duty pump P-101',
    normal: { min: 0, max: 100 },
    bounds: { min: 0, max: 100 },
  },
  {
    key: 'P101.MotorCurrent',
    name: 'P-101 motor current',
    unit: 'A',
    kind: 'number',
    description: 'Motor phase current of P-101',
    normal: { min: 0, max: 75 },
    bounds: { min: 0, max: 200 },
  },
  {
    key: 'P101.WindingTemp',
    name: 'P-101 winding temperature',
    unit: '°C',
    kind: 'number',
    description: 'Motor winding temperature (PT100)',
    normal: { min: 0, max: 120 },
    bounds: { min: -20, max: 180 },
  },
  {
    key: 'P101.Vibration',
    name: 'P-101 bearing vibration',
    unit: 'mm/s',
    kind: 'number',
    description: 'Drive-end bearing vibration velocity (RMS)',
    normal: { min: 0, max: 7.1 },
    bounds: { min: 0, max: 30 },
  },
  {
    key: 'P101.SuctionPressure',
    name: 'P-101 suction pressure',
    unit: 'bar',
    kind: 'number',
    description: 'Pump suction pressure (gauge)',
    normal: { min: 0.2, max: 2.5 },
    bounds: { min: 0, max: 4 },
  },
  {
    key: 'P101.DischargePressure',
    name: 'P-101 discharge pressure',
    unit: 'bar',
    kind: 'number',
    description: 'Pump discharge pressure (gauge)',
    normal: { min: 0, max: 8 },
    bounds: { min: 0, max: 12 },
  },
  {
    key: 'P101.Flow',
    name: 'Discharge flow',
    unit: 'm³/h',
    kind: 'number',
    description: 'Skid discharge flow (magmeter FT-101)',
    normal: { min: 0, max: 90 },
    bounds: { min: 0, max: 120 },
  },
  {
    key: 'P101.Power',
    name: 'P-101 power',
    unit: 'kW',
    kind: 'number',
    description: 'Electrical power of P-101 drive',
    normal: { min: 0, max: 45 },
    bounds: { min: 0, max: 120 },
  },
  {
    key: 'P101.Energy',
    name: 'P-101 energy',
    unit: 'kWh',
    kind: 'number',
    description: 'Energy counter of P-101 drive',
    normal: { min: 0, max: 1e9 },
    bounds: { min: 0, max: 1e9 },
  },
  {
    key: 'P101.Tripped',
    name: 'P-101 tripped',
    unit: '',
    kind: 'bool',
    description: 'P-101 protection trip active (vibration or winding temperature)',
    normal: { min: 0, max: 0 },
    bounds: { min: 0, max: 1 },
  },
  {
    key: 'P102.Running',
    name: 'P-102 running',
    unit: '',
    kind: 'bool',
    description: 'Standby pump P-102 run feedback (starts when P-101 trips)',
    normal: { min: 0, max: 1 },
    bounds: { min: 0, max: 1 },
  },
  {
    key: 'FV101.Position',
    name: 'FV-101 valve position',
    unit: '%',
    kind: 'number',
    description: 'Discharge control valve position',
    normal: { min: 10, max: 100 },
    bounds: { min: 0, max: 100 },
  },
  {
    key: 'T101.Level',
    name: 'T-101 level',
    unit: '%',
    kind: 'number',
    description: 'Feed tank T-101 level',
    normal: { min: 15, max: 85 },
    bounds: { min: 0, max: 100 },
  },
  {
    key: 'T101.Inflow',
    name: 'T-101 inflow',
    unit: 'm³/h',
    kind: 'number',
    description: 'Inflow into feed tank T-101',
    normal: { min: 10, max: 85 },
    bounds: { min: 0, max: 150 },
  },
  {
    key: 'T101.Temp',
    name: 'T-101 temperature',
    unit: '°C',
    kind: 'number',
    description: 'Feed tank water temperature',
    normal: { min: 30, max: 55 },
    bounds: { min: 0, max: 90 },
  },
  {
    key: 'HX101.InletTemp',
    name: 'HX-101 inlet temperature',
    unit: '°C',
    kind: 'number',
    description: 'Process side inlet temperature of cooler HX-101',
    normal: { min: 30, max: 55 },
    bounds: { min: 0, max: 90 },
  },
  {
    key: 'HX101.OutletTemp',
    name: 'HX-101 outlet temperature',
    unit: '°C',
    kind: 'number',
    description: 'Process side outlet temperature of cooler HX-101',
    normal: { min: 20, max: 38 },
    bounds: { min: 0, max: 90 },
  },
  {
    key: 'HX101.CoolingWaterFlow',
    name: 'Cooling water flow',
    unit: 'm³/h',
    kind: 'number',
    description: 'Cooling water flow through HX-101',
    normal: { min: 5, max: 60 },
    bounds: { min: 0, max: 80 },
  },
  {
    key: 'F101.DiffPressure',
    name: 'F-101 filter dP',
    unit: 'bar',
    kind: 'number',
    description: 'Differential pressure over strainer F-101 (clogs, then backflushes)',
    normal: { min: 0, max: 0.9 },
    bounds: { min: 0, max: 2 },
  },
  {
    key: 'F101.Backflush',
    name: 'F-101 backflushing',
    unit: '',
    kind: 'bool',
    description: 'Strainer F-101 backflush in progress',
    normal: { min: 0, max: 1 },
    bounds: { min: 0, max: 1 },
  },
  {
    key: 'Water.pH',
    name: 'pH',
    unit: 'pH',
    kind: 'number',
    description: 'Process water pH (AT-101)',
    normal: { min: 6.5, max: 8.5 },
    bounds: { min: 0, max: 14 },
  },
  {
    key: 'Water.Conductivity',
    name: 'Conductivity',
    unit: 'µS/cm',
    kind: 'number',
    description: 'Process water conductivity (AT-102)',
    normal: { min: 200, max: 1000 },
    bounds: { min: 0, max: 5000 },
  },
  {
    key: 'Ambient.Temp',
    name: 'Ambient temperature',
    unit: '°C',
    kind: 'number',
    description: 'Skid enclosure ambient temperature',
    normal: { min: 5, max: 35 },
    bounds: { min: -30, max: 60 },
  },
];

const withAddresses = (): SignalMeta[] => {
  let register = 0;
  let coil = 0;
  return defs.map((d) => {
    const modbus =
      d.kind === 'bool'
        ? { area: 'coil' as const, address: coil++, dataType: 'bool' as const, wordOrder: 'ABCD' as const }
        : {
            area: 'holding' as const,
            address: (register += 2) - 2,
            dataType: 'float32' as const,
            wordOrder: 'ABCD' as const,
          };
    return { ...d, browseName: d.key, nodeId: `ns=1;s=PumpSkid.${d.key}`, modbus };
  });
};

export const signals: readonly SignalMeta[] = withAddresses();

export type SignalKey = (typeof defs)[number]['key'];

/** Registers / coils the demo Modbus server must hold. */
export const modbusImageSize = {
  registers: signals.filter((s) => s.modbus.area === 'holding').length * 2,
  coils: signals.filter((s) => s.modbus.area === 'coil').length,
};
