import { z } from 'zod';
import { StoragePolicy, TagSpan, tagStorage } from '../storage/storage-policy.js';

/**
 * OPC UA device and tag settings. The user password is not here: it lives in the OS keychain (see
 * main/secrets) and is set with its own call, so no device config, file or log ever carries it.
 */

export const opcuaSecurityModes = ['None', 'Sign', 'SignAndEncrypt'] as const;
export const opcuaSecurityPolicies = [
  'None',
  'Basic256Sha256',
  'Aes128_Sha256_RsaOaep',
  'Aes256_Sha256_RsaPss',
] as const;
export const opcuaIdentityTypes = ['anonymous', 'username', 'certificate'] as const;
export const opcuaDeadbandTypes = ['none', 'absolute', 'percent'] as const;

export type OpcUaSecurityMode = (typeof opcuaSecurityModes)[number];
export type OpcUaSecurityPolicy = (typeof opcuaSecurityPolicies)[number];
export type OpcUaIdentityType = (typeof opcuaIdentityTypes)[number];

const filePath = z.string().trim().max(1000).default('');

export const OpcUaIdentity = z
  .object({
    type: z.enum(opcuaIdentityTypes).default('anonymous'),
    /** For 'username'; the password is in the keychain. */
    userName: z.string().trim().max(200).default(''),
    /** For 'certificate': the user certificate (PEM or DER) and its private key (PEM). */
    certificateFile: filePath,
    privateKeyFile: filePath,
  })
  .superRefine((id, ctx) => {
    if (id.type === 'username' && id.userName === '') {
      ctx.addIssue({ code: 'custom', message: 'a user name is required', path: ['userName'] });
    }
    if (id.type === 'certificate') {
      if (id.certificateFile === '')
        ctx.addIssue({ code: 'custom', message: 'the user certificate file is required', path: ['certificateFile'] });
      if (id.privateKeyFile === '')
        ctx.addIssue({ code: 'custom', message: 'the private key file is required', path: ['privateKeyFile'] });
    }
  });

/**
 * The server's own alarms (Alarms & Conditions) and plain events. On by default: an engineer pointing the app at a PLC
 * expects its alarms beside the local ones, and a server without events only gets a note in the Alarms view.
 */
export const OpcUaEvents = z.object({
  enabled: z.boolean().default(true),
  /** The object whose events are subscribed to; i=2253 is the Server object (all events of the server). */
  notifierNodeId: z
    .string()
    .trim()
    .regex(/^(ns=\d+;|nsu=[^;]+;)?[isgb]=.+$/, 'a node id like i=2253 (the Server object)')
    .default('i=2253'),
});

export const OpcUaSettings = z
  .object({
    endpointUrl: z
      .string()
      .trim()
      .regex(/^opc\.tcp:\/\/[^\s/:]+(:\d{1,5})?(\/.*)?$/, 'an endpoint like opc.tcp://host:4840'),
    securityMode: z.enum(opcuaSecurityModes).default('None'),
    securityPolicy: z.enum(opcuaSecurityPolicies).default('None'),
    identity: OpcUaIdentity.default(OpcUaIdentity.parse({})),
    publishingIntervalMs: z.number().int().min(50).max(60_000).default(1000),
    /** Cap of the reconnect backoff; plants expect data back within seconds of a server restart. */
    reconnectMaxDelayMs: z.number().int().min(500).max(60_000).default(10_000),
    /** Monitored items per CreateMonitoredItems call; null = the server's MaxMonitoredItemsPerCall (or 1000). */
    maxItemsPerCall: z.number().int().min(1).max(50_000).nullable().default(null),
    events: OpcUaEvents.default(OpcUaEvents.parse({})),
    /** How collected samples are stored; a tag may set its own (tag.storage). */
    storage: StoragePolicy.default(StoragePolicy.parse({})),
  })
  .refine((s) => (s.securityMode === 'None') === (s.securityPolicy === 'None'), {
    message: 'security mode None goes with policy None, and Sign/SignAndEncrypt need a policy',
    path: ['securityPolicy'],
  });

export const OpcUaTag = z
  .object({
    id: z.number().int().positive().optional(),
    name: z
      .string()
      .trim()
      .min(1, 'a name is required')
      .max(80, 'at most 80 characters')
      .regex(/^\P{Cc}*$/u, 'no control characters'),
    unit: z.string().trim().max(20, 'at most 20 characters').default(''),
    nodeId: z
      .string()
      .trim()
      .regex(/^(ns=\d+;|nsu=[^;]+;)?[isgb]=.+$/, 'a node id like ns=2;s=Pump.Flow or i=2258'),
    /** 0 = as fast as the server can; -1 = the publishing interval (OPC UA's convention). */
    samplingIntervalMs: z.number().int().min(-1).max(3_600_000).default(1000),
    /** Server-side queue per item; 0 = enough for one publishing interval. */
    queueSize: z.number().int().min(0).max(10_000).default(0),
    discardOldest: z.boolean().default(true),
    deadbandType: z.enum(opcuaDeadbandTypes).default('none'),
    /** Absolute: engineering units; percent: of the EURange (0-100). */
    deadbandValue: z.number().min(0).default(0),
    /**
     * OPC UA NumericRange of an array variable ("3", "2:5", "1,0" for row 1 column 0 of a matrix); '' = the whole value.
     * The monitored item is created with this IndexRange, so the server sends only these elements.
     */
    indexRange: z
      .string()
      .trim()
      .regex(/^(\d+(:\d+)?)(,\d+(:\d+)?)*$|^$/, 'an index like 3, 2:5 or 1,0')
      .default(''),
    /**
     * Path of a field inside a structured value ("Motor.Speed", "Items[2].Value"); '' = the value itself. Tags of one
     * variable share one monitored item, however many of its fields are tags.
     */
    field: z
      .string()
      .trim()
      .max(500, 'at most 500 characters')
      .regex(
        /^$|^[^.[\]\s][^.[\]]*(\[\d+\])*(\.[^.[\]\s][^.[\]]*(\[\d+\])*)*$/,
        'a field path like Motor.Speed or Items[2].Value',
      )
      .default(''),
    /**
     * Where the tag was found, from the Objects folder, in OPC UA's relative path notation with namespace URIs
     * ("/[urn:plc]Plant/[urn:plc]Pump1/[urn:plc]Flow"); '' = not known. After a PLC download renumbers node ids, the
     * collector finds the node again by this path. Grammar and escapes ("&/", "&[", "&]", "&&"; a step without
     * "[uri]" is namespace 0): main/collect/opcua/browse-path.ts, whose formatBrowsePath/parseBrowsePath write and read it.
     */
    browsePath: z
      .string()
      .trim()
      .max(2000, 'at most 2000 characters')
      .regex(/^$|^(\/(\[([^\]&]|&.)+\])?([^/[\]&]|&.)+)+$/, 'a browse path like /[urn:plc]Plant/[urn:plc]Flow')
      .default(''),
    /** Own storage policy; null uses the device's. */
    storage: tagStorage,
    ...TagSpan,
  })
  .superRefine((t, ctx) => {
    if (t.deadbandType === 'percent' && t.deadbandValue > 100) {
      ctx.addIssue({ code: 'custom', message: 'a percent deadband is 0 to 100', path: ['deadbandValue'] });
    }
    if (t.deadbandType === 'none' && t.deadbandValue !== 0) {
      ctx.addIssue({ code: 'custom', message: 'choose a deadband type for this value', path: ['deadbandType'] });
    }
  });

export type OpcUaIdentity = z.infer<typeof OpcUaIdentity>;
export type OpcUaSettings = z.infer<typeof OpcUaSettings>;
export type OpcUaTag = z.infer<typeof OpcUaTag>;
