/** Lock token byte orders and link address parsing of the Service Bus emulator. */
import { string_to_uuid, uuid_to_string } from 'rhea';
import { parseLinkAddress } from '../../../../dev/service-bus-emulator/entityAddress';
import {
    createLockToken,
    deliveryTagOf,
    lockTokenOfDeliveryTag,
    lockTokenOfManagementUuid,
} from '../../../../dev/service-bus-emulator/lockTokens';

/** What @azure/service-bus 7.9 does with a delivery tag: swap the first three GUID groups, then format. */
function sdkLockTokenOf(tag: Buffer): string {
    const reordered = Buffer.from([
        tag[3]!,
        tag[2]!,
        tag[1]!,
        tag[0]!,
        tag[5]!,
        tag[4]!,
        tag[7]!,
        tag[6]!,
        ...tag.subarray(8),
    ]);
    return uuid_to_string(reordered);
}

describe('lock tokens', () => {
    it('when the SDK sends back the lock token of a delivery, then it maps to the same lock', () => {
        const token = createLockToken();
        const tag = deliveryTagOf(token);

        const sentByManagement = Buffer.from(string_to_uuid(sdkLockTokenOf(tag)));

        expect(lockTokenOfManagementUuid(sentByManagement)).toBe(token);
        expect(lockTokenOfDeliveryTag(tag)).toBe(token);
    });

    it('creates distinct 16-byte tokens', () => {
        const tokens = new Set(Array.from({ length: 100 }, createLockToken));

        expect(tokens.size).toBe(100);
        expect(deliveryTagOf([...tokens][0]!)).toHaveLength(16);
    });
});

describe('parseLinkAddress', () => {
    it.each([
        ['$cbs', { kind: 'cbs' }],
        ['risk-detections', { kind: 'entity', entity: { queueName: 'risk-detections', subQueue: 'none' } }],
        ['sb://127.0.0.1:5672/Risk', { kind: 'entity', entity: { queueName: 'Risk', subQueue: 'none' } }],
        ['q/$DeadLetterQueue', { kind: 'entity', entity: { queueName: 'q', subQueue: 'deadLetter' } }],
        ['q/$deadletterqueue', { kind: 'entity', entity: { queueName: 'q', subQueue: 'deadLetter' } }],
        ['q/$management', { kind: 'management', entity: { queueName: 'q', subQueue: 'none' } }],
        ['q/$DeadLetterQueue/$management', { kind: 'management', entity: { queueName: 'q', subQueue: 'deadLetter' } }],
    ])('%s is %j', (address, expected) => {
        expect(parseLinkAddress(address)).toEqual(expected);
    });

    it.each([undefined, '', '$management', 't/Subscriptions/s'])('%s is not supported', (address) => {
        expect(parseLinkAddress(address).kind).toBe('unsupported');
    });
});
