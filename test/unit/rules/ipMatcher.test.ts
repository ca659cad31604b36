import {
    createIpMatcher,
    formatIpAddress,
    isInRange,
    parseIpAddress,
    parseIpRange,
    type IpRange,
} from '../../../shared/rules/ipMatcher';

function range(text: string): IpRange {
    const parsed = parseIpRange(text);
    if (!parsed.ok) {
        throw new Error(`test setup: ${text} is not a range: ${parsed.problem}`);
    }
    return parsed.range;
}

describe('ipMatcher', () => {
    describe('parsing addresses', () => {
        it.each([
            ['203.0.113.5', 4, '203.0.113.5'],
            ['0.0.0.0', 4, '0.0.0.0'],
            ['255.255.255.255', 4, '255.255.255.255'],
            ['2001:db8::1', 6, '2001:db8::1'],
            ['2001:0db8:0000:0000:0000:0000:0000:0001', 6, '2001:db8::1'],
            ['2001:DB8::A', 6, '2001:db8::a'],
            ['::', 6, '::'],
            ['::1', 6, '::1'],
            ['1::', 6, '1::'],
            ['1:2:3:4:5:6:7:8', 6, '1:2:3:4:5:6:7:8'],
            ['1:2:3:4:5:6:7::', 6, '1:2:3:4:5:6:7:0'],
            ['1:0:0:2:0:0:0:3', 6, '1:0:0:2::3'],
            ['1:0:0:2:3:0:0:4', 6, '1::2:3:0:0:4'],
            ['64:ff9b::203.0.113.5', 6, '64:ff9b::cb00:7105'],
            ['1:2:3:4:5:6:1.2.3.4', 6, '1:2:3:4:5:6:102:304'],
            ['::ffff:203.0.113.5', 4, '203.0.113.5'],
            ['::FFFF:cb00:7105', 4, '203.0.113.5'],
            ['0:0:0:0:0:ffff:203.0.113.5', 4, '203.0.113.5'],
        ])('reads %s as IPv%d %s', (text, family, canonical) => {
            const address = parseIpAddress(text);

            expect(address?.family).toBe(family);
            expect(address === undefined ? undefined : formatIpAddress(address)).toBe(canonical);
        });

        it.each([
            [''],
            ['203.0.113'],
            ['203.0.113.5.1'],
            ['256.0.0.1'],
            ['010.0.0.1'],
            ['1.2.3.-4'],
            [' 203.0.113.5'],
            ['1:2:3:4:5:6:7:8:9'],
            ['1:2:3:4:5:6:7'],
            ['1::2::3'],
            [':::'],
            [':1:2:3:4:5:6:7'],
            ['1:2:3:4:5:6:7:'],
            ['1:2:3:4:5:6:7::8'],
            ['12345::1'],
            ['g::1'],
            ['fe80::1%eth0'],
            ['[2001:db8::1]'],
            ['203.0.113.5:443'],
            ['::ffff:203.0.113.256'],
            ['1.2.3.4::'],
        ])('rejects %j', (text) => {
            expect(parseIpAddress(text)).toBeUndefined();
        });
    });

    describe('matching ranges', () => {
        it.each([
            ['203.0.113.0/24', '203.0.113.5', true],
            ['203.0.113.0/24', '203.0.113.255', true],
            ['203.0.113.0/24', '203.0.114.1', false],
            ['198.51.100.7', '198.51.100.7', true],
            ['198.51.100.7', '198.51.100.8', false],
            ['10.0.0.0/8', '10.255.255.255', true],
            ['10.0.0.0/8', '11.0.0.0', false],
            ['203.0.113.128/25', '203.0.113.127', false],
            ['203.0.113.128/25', '203.0.113.200', true],
            ['2001:db8::/32', '2001:db8:1234::1', true],
            ['2001:db8::/32', '2001:0db8:0:0::5', true],
            ['2001:db8::/32', '2001:db9::1', false],
            ['2001:db8:abcd:12::/64', '2001:db8:abcd:12:ffff::1', true],
            ['2001:db8:abcd:12::/64', '2001:db8:abcd:13::1', false],
            ['2001:db8::/127', '2001:db8::1', true],
            ['2001:db8::/127', '2001:db8::2', false],
            ['2001:db8::1', '2001:0DB8::0001', true],
            ['203.0.113.0/24', '::ffff:203.0.113.5', true],
            ['::ffff:203.0.113.0/120', '203.0.113.9', true],
            ['::ffff:203.0.113.5', '203.0.113.5', true],
            ['::ffff:0:0/96', '192.0.2.1', true],
            ['0.0.0.0/0', '::ffff:10.0.0.1', true],
            ['0.0.0.0/0', '2001:db8::1', false],
            ['::/0', '2001:db8::1', true],
            ['::/0', '203.0.113.5', false],
            ['64:ff9b::/96', '64:ff9b::203.0.113.5', true],
            ['64:ff9b::/96', '203.0.113.5', false],
        ])('%s contains %s: %s', (rangeText, addressText, expected) => {
            const address = parseIpAddress(addressText);

            expect(address).toBeDefined();
            expect(isInRange(address!, range(rangeText))).toBe(expected);
        });
    });

    describe('rejecting ranges', () => {
        it.each([
            ['203.0.113.5/24', 'host bits are set', 'did you mean 203.0.113.0/24?'],
            ['2001:db8::1/32', 'host bits are set', 'did you mean 2001:db8::/32?'],
            ['::ffff:203.0.113.5/120', 'host bits are set', 'did you mean 203.0.113.0/24?'],
            ['10.0.0.0/33', 'prefix length from 0 to 32', undefined],
            ['2001:db8::/129', 'prefix length from 0 to 128', undefined],
            ['10.0.0.0/', 'prefix length', undefined],
            ['10.0.0.0/08', 'prefix length', undefined],
            ['10.0.0.0/-1', 'prefix length', undefined],
            ['10.0.0.0/8/8', 'prefix length', undefined],
            ['corp-egress', 'expected an IPv4 or IPv6 address or CIDR range', undefined],
            ['', 'expected an IPv4 or IPv6 address or CIDR range', undefined],
        ])('%j: %s', (text, problem, hint) => {
            const parsed = parseIpRange(text);

            expect(parsed.ok).toBe(false);
            expect(parsed.ok ? undefined : parsed.problem).toContain(problem);
            expect(parsed.ok ? undefined : parsed.hint).toBe(hint);
        });
    });

    describe('a matcher for a list of ranges', () => {
        const matches = createIpMatcher(['203.0.113.0/24', '2001:db8::/32', '198.51.100.7']);

        it.each([
            ['203.0.113.77', true],
            ['2001:db8:ffff::1', true],
            ['198.51.100.7', true],
            ['::ffff:198.51.100.7', true],
            [' 203.0.113.77 ', true],
            ['192.0.2.1', false],
            ['not an address', false],
            ['', false],
            [null, false],
            [undefined, false],
        ])('when the detection comes from %j, then it matches: %s', (ip, expected) => {
            expect(matches(ip)).toBe(expected);
        });

        it('refuses a range the schema should have rejected', () => {
            expect(() => createIpMatcher(['10.0.0.1/8'])).toThrow('not a valid range');
        });
    });
});
