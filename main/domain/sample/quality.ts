// Quality as a plant engineer reads it (the OPC UA status code's severity).

export type Quality = 'good' | 'uncertain' | 'bad';
