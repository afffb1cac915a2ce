public import Foundation

/// A JSON file of visits (`visit add --file`), read so that every problem is one sentence a
/// cadre can act on: where a syntax error is (line and column), which key is unknown (with the
/// nearest known one; a misspelt key would otherwise be dropped without a word), and which
/// field has the wrong kind of value.
public enum VisitFile {
    public enum Failure: Error, Sendable, Hashable {
        case syntax(line: Int, column: Int)
        /// Neither a visit object nor an array of them.
        case notVisits
        case unknownKey(path: String, key: String, nearest: [String])
        case missingKey(path: String, key: String)
        case wrongType(path: String, expected: String)
        /// A value of the right kind that does not read (a number typed as "1,000").
        case field(FieldIssue)

        public func message(_ language: Language) -> String {
            switch self {
            case .syntax(let line, let column):
                return language.pick(
                    vi: "Tệp JSON sai cú pháp ở dòng \(line), cột \(column); hãy sửa chỗ đó (thiếu dấu phẩy, ngoặc hoặc dấu ngoặc kép?)",
                    en: "The JSON file has a syntax error at line \(line), column \(column); fix it there (a missing comma, bracket or quote?)")
            case .notVisits:
                return language.pick(
                    vi: "Tệp phải chứa một chuyến công tác ({…}) hoặc một danh sách chuyến công tác ([{…}, …])",
                    en: "The file must hold one visit ({…}) or a list of visits ([{…}, …])")
            case .unknownKey(let path, let key, let nearest):
                let hint = nearest.isEmpty ? "" : language.pick(vi: "; có phải là \(nearest.joined(separator: ", "))?", en: "; did you mean \(nearest.joined(separator: ", "))?")
                return language.pick(vi: "\(path): khoá \"\(key)\" không có trong định dạng", en: "\(path): the key \"\(key)\" is not part of the format") + hint
            case .missingKey(let path, let key):
                return language.pick(vi: "\(path): thiếu khoá \"\(key)\"", en: "\(path): the key \"\(key)\" is missing")
            case .wrongType(let path, let expected):
                return language.pick(vi: "\(path): phải là \(expected.vi)", en: "\(path): must be \(expected.en)")
            case .field(let issue):
                return issue.message(language)
            }
        }
    }

    /// The keys of each object of the format, as `VisitInput` names them.
    static let keys: [String: Set<String>] = [
        "visit": ["id", "commune", "start", "end", "cadres", "plan", "activities", "support", "results", "commune_requests"],
        "cadres": ["name", "position"],
        "plan": ["written", "summary"],
        "activities": ["category", "description"],
        "support": ["description", "quantity", "unit", "value_vnd"],
    ]

    /// The visits of `data`: one visit object or an array of them.
    public static func read(_ data: Data) throws(Failure) -> [VisitInput] {
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: data, options: .fragmentsAllowed)
        } catch {
            throw syntaxFailure(error, in: data)
        }
        let objects: [Any]
        var prefix: (Int) -> String = { _ in "" }
        if let array = root as? [Any] {
            objects = array
            prefix = { "[\($0)]." }
        } else if root is [String: Any] {
            objects = [root]
        } else {
            throw .notVisits
        }
        for (index, object) in objects.enumerated() {
            guard let visit = object as? [String: Any] else { throw .notVisits }
            try checkKeys(visit, kind: "visit", path: String(prefix(index).dropLast()))
        }
        // The shape is known good: decode, naming the field of any wrong value.
        let decoder = JSONDecoder()
        do {
            if root is [Any] { return try decoder.decode([VisitInput].self, from: data) }
            return [try decoder.decode(VisitInput.self, from: data)]
        } catch let error as DecodingError {
            throw decodingFailure(error)
        } catch let issue as FieldIssue {
            throw .field(issue)
        } catch {
            throw .notVisits
        }
    }

    static func checkKeys(_ object: [String: Any], kind: String, path: String) throws(Failure) {
        let known = keys[kind]!
        for key in object.keys.sorted() where !known.contains(key) {
            throw .unknownKey(path: path.isEmpty ? "visit" : path, key: key, nearest: NearestNames.closest(to: key, among: known.sorted(), limit: 1))
        }
        for (key, value) in object {
            let inner = path.isEmpty ? key : "\(path).\(key)"
            if key == "plan", let plan = value as? [String: Any] { try checkKeys(plan, kind: "plan", path: inner) }
            if let list = value as? [Any], keys[key] != nil {
                for (index, element) in list.enumerated() {
                    if let element = element as? [String: Any] { try checkKeys(element, kind: key, path: "\(inner)[\(index)]") }
                }
            }
        }
    }

    /// "Invalid value around character 16." → the line and column of that character.
    static func syntaxFailure(_ error: any Error, in data: Data) -> Failure {
        let text = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? ""
        let digits = text.split(whereSeparator: { !$0.isNumber }).last.flatMap { Int($0) } ?? 0
        let prefix = data.prefix(min(max(digits, 0), data.count))
        let line = prefix.filter { $0 == 0x0A }.count + 1
        let column = prefix.count - (prefix.lastIndex(of: 0x0A).map { prefix.distance(from: prefix.startIndex, to: $0) + 1 } ?? 0) + 1
        return .syntax(line: line, column: column)
    }

    static func decodingFailure(_ error: DecodingError) -> Failure {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.reduce(into: "") { path, key in
                if let index = key.intValue { path += "[\(index)]" } else { path += path.isEmpty ? key.stringValue : ".\(key.stringValue)" }
            }
        }
        switch error {
        case .keyNotFound(let key, let context):
            let at = path(context)
            return .missingKey(path: at.isEmpty ? "visit" : at, key: key.stringValue)
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            let expected: String
            switch type {
            case is String.Type: expected = "text"
            case is Bool.Type: expected = "boolean"
            case is Double.Type, is Int64.Type, is Int.Type: expected = "number"
            default: expected = "list"
            }
            return .wrongType(path: path(context), expected: expected)
        default:
            return .notVisits
        }
    }
}

private extension String {
    /// The kind of a JSON value, as `wrongType` names it.
    var vi: String {
        switch self {
        case "text": "văn bản trong dấu ngoặc kép"
        case "boolean": "true hoặc false"
        case "number": "một số (không có dấu ngoặc kép)"
        default: "một danh sách hoặc đối tượng đúng định dạng"
        }
    }

    var en: String {
        switch self {
        case "text": "text in double quotes"
        case "boolean": "true or false"
        case "number": "a number (without quotes)"
        default: "a list or object of the format"
        }
    }
}
