/// What migration tests write into a database at an old schema version before opening it
/// with the current store: written as SQL, since today's code writes today's tables.
enum MigrationFixtures {
    /// One district, commune and agency, and decision 708 assigning the commune to the agency.
    /// Valid from v1 on.
    static let referenceData = """
        INSERT INTO district(code, name) VALUES ('301', 'Điện Biên Đông');
        INSERT INTO commune(code, name, search_key, kind, district_code, dataset) VALUES ('03376', 'Keo Lôm', 'keo lom', 'xa', '301', '2017');
        INSERT INTO agency(code, name, search_key, kind) VALUES ('STNMT', 'Sở TN&MT', 'so tn mt', 'so');
        INSERT INTO decision(number, signed_on, period_start, period_end, standing_agency_code, is_sample, content_sha256)
            VALUES ('708/QĐ-UBND', 20170817, 20170817, 20201231, 'BDT', 1, x'00');
        INSERT INTO assignment(decision_number, agency_code, commune_code, role) VALUES ('708/QĐ-UBND', 'STNMT', '03376', 'lead');
        """
}
