/** Word lists for synthetic tenants: contoso-style people, places from the public record, documentation IPs. */

export const syntheticDomain = 'contoso.example';

export const firstNames = [
    'Adele',
    'Alex',
    'Megan',
    'Lee',
    'Diego',
    'Nestor',
    'Isaiah',
    'Lynne',
    'Joni',
    'Johanna',
    'Grady',
    'Pradeep',
    'Miriam',
    'Lidia',
    'Christie',
    'Patti',
    'Henrietta',
    'Irvin',
    'Allan',
    'Enrico',
    'Emily',
    'Brian',
    'Debra',
    'Raul',
    'Cameron',
    'Sanjay',
    'Amara',
    'Kenji',
    'Sofia',
    'Tomasz',
] as const;

export const lastNames = [
    'Vance',
    'Wilber',
    'Bowen',
    'Gu',
    'Siciliani',
    'Wilke',
    'Langer',
    'Robbins',
    'Sherman',
    'Lorenz',
    'Archie',
    'Gupta',
    'Graham',
    'Holloway',
    'Cline',
    'Fernandez',
    'Mueller',
    'Sayers',
    'Deyoung',
    'Cattaneo',
    'Braun',
    'Johnson',
    'Berry',
    'Razo',
    'White',
    'Patel',
    'Okafor',
    'Tanaka',
    'Rossi',
    'Nowak',
] as const;

export const departments = [
    'Sales',
    'Marketing',
    'Finance',
    'Engineering',
    'Operations',
    'Human Resources',
    'Legal',
    'IT',
] as const;

export const jobTitles = [
    'Analyst',
    'Specialist',
    'Engineer',
    'Consultant',
    'Coordinator',
    'Associate',
    'Advisor',
] as const;

export interface Place {
    readonly countryOrRegion: string;
    readonly state: string;
    readonly city: string;
    readonly latitude: number;
    readonly longitude: number;
}

/** Where sign-ins come from, weighted towards the tenant's home countries. */
export const places: ReadonlyArray<readonly [Place, number]> = [
    [{ countryOrRegion: 'US', state: 'Washington', city: 'Seattle', latitude: 47.61, longitude: -122.33 }, 18],
    [{ countryOrRegion: 'US', state: 'New York', city: 'New York', latitude: 40.71, longitude: -74.01 }, 12],
    [{ countryOrRegion: 'US', state: 'Texas', city: 'Austin', latitude: 30.27, longitude: -97.74 }, 6],
    [{ countryOrRegion: 'DE', state: 'Berlin', city: 'Berlin', latitude: 52.52, longitude: 13.4 }, 10],
    [{ countryOrRegion: 'DE', state: 'Bayern', city: 'Munich', latitude: 48.14, longitude: 11.58 }, 5],
    [{ countryOrRegion: 'FR', state: 'Ile-de-France', city: 'Paris', latitude: 48.86, longitude: 2.35 }, 9],
    [{ countryOrRegion: 'FR', state: 'Auvergne-Rhone-Alpes', city: 'Lyon', latitude: 45.76, longitude: 4.84 }, 3],
    [{ countryOrRegion: 'GB', state: 'England', city: 'London', latitude: 51.51, longitude: -0.13 }, 6],
    [{ countryOrRegion: 'NL', state: 'Noord-Holland', city: 'Amsterdam', latitude: 52.37, longitude: 4.9 }, 4],
    [{ countryOrRegion: 'BR', state: 'Sao Paulo', city: 'Sao Paulo', latitude: -23.55, longitude: -46.63 }, 7],
    [{ countryOrRegion: 'NG', state: 'Lagos', city: 'Lagos', latitude: 6.52, longitude: 3.38 }, 7],
    [{ countryOrRegion: 'JP', state: 'Tokyo', city: 'Tokyo', latitude: 35.68, longitude: 139.69 }, 4],
    [{ countryOrRegion: 'IN', state: 'Karnataka', city: 'Bengaluru', latitude: 12.97, longitude: 77.59 }, 5],
];

export const userAgents = [
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36 Edg/124.0',
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
    'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
    'python-requests/2.31.0',
    'BAV2ROPC',
] as const;
