/// The ten kinds of help the province asks of an assigned agency (domain brief, "What the
/// province now asks"). The raw value is the stable name used in JSON, CSV and the CLI; the
/// number is the protobuf enum value and must never change.
public enum ActivityCategory: String, Sendable, Hashable, Codable, CaseIterable {
    case socioEconomicReview = "socio_economic_review"
    case developmentPlanning = "development_planning"
    case productionModels = "production_models"
    case trainingTechnology = "training_technology"
    case povertyReduction = "poverty_reduction"
    case educationHealthSocial = "education_health_social"
    case politicalSystem = "political_system"
    case securityOrder = "security_order"
    case infrastructure = "infrastructure"
    case materialSupport = "material_support"

    /// 1…10, in the brief's order.
    public var number: Int { Self.allCases.firstIndex(of: self)! + 1 }

    public init?(number: Int) {
        guard (1...Self.allCases.count).contains(number) else { return nil }
        self = Self.allCases[number - 1]
    }

    public func title(_ language: Language) -> String {
        switch self {
        case .socioEconomicReview: language.pick(vi: "Rà soát thông tin kinh tế - xã hội, hộ nghèo", en: "Socio-economic review, poor-household survey")
        case .developmentPlanning: language.pick(vi: "Định hướng phát triển, quy hoạch nông thôn mới", en: "Development planning (new rural)")
        case .productionModels: language.pick(vi: "Mô hình sản xuất nông, lâm nghiệp bền vững", en: "Sustainable production models")
        case .trainingTechnology: language.pick(vi: "Tập huấn, chuyển giao khoa học kỹ thuật", en: "Training and technology transfer")
        case .povertyReduction: language.pick(vi: "Mục tiêu giảm nghèo, dự án đầu tư", en: "Poverty reduction and investment")
        case .educationHealthSocial: language.pick(vi: "Giáo dục, y tế, an sinh xã hội", en: "Education, health, social security")
        case .politicalSystem: language.pick(vi: "Xây dựng hệ thống chính trị cơ sở", en: "Grassroots political system")
        case .securityOrder: language.pick(vi: "An ninh chính trị, trật tự xã hội", en: "Security and social order")
        case .infrastructure: language.pick(vi: "Lồng ghép chương trình, vốn cho hạ tầng", en: "Infrastructure funding")
        case .materialSupport: language.pick(vi: "Hỗ trợ vật chất", en: "Material support")
        }
    }
}
