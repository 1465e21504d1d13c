/// weird.bro's `WeirdAction`. The four notice actions raise a WeirdActivity notice.
public enum WeirdAction: String, Hashable, Sendable, CaseIterable {
    case unspecified = "WEIRD_UNSPECIFIED"
    case ignore = "WEIRD_IGNORE"
    case file = "WEIRD_FILE"
    case noticeAlways = "WEIRD_NOTICE_ALWAYS"
    case noticePerConnection = "WEIRD_NOTICE_PER_CONN"
    case noticePerOriginator = "WEIRD_NOTICE_PER_ORIG"
    case noticeOnce = "WEIRD_NOTICE_ONCE"

    var isNoticeAction: Bool {
        switch self {
        case .noticeAlways, .noticePerConnection, .noticePerOriginator, .noticeOnce: return true
        case .unspecified, .ignore, .file: return false
        }
    }
}

/// A `weird_action_filters` entry: a function of the connection giving an action
/// (`WEIRD_UNSPECIFIED` = fall back to the table).
public enum WeirdActionFilter: Hashable, Sendable {
    /// portmapper.bro's `RPC_weird_action_filter`: originator in `RPC_okay_nets` → FILE.
    case rpcOkayNets
    /// Generalisation for configuration: originator in `networks` → `action`.
    case originatorIn([Subnet], action: WeirdAction)
}

/// The default `weird_action` table of weird.bro (Bro 1.5), every entry. Names raised by
/// this project's analyzers and by analyzers the reference has but RPCReplay does not
/// (HTTP, DNS, IRC, ...) are both kept so a configuration can be compared 1:1.
public enum DefaultWeirdActions {
    public static let table: [String: WeirdAction] = {
        var table: [String: WeirdAction] = [:]
        for name in file { table[name] = .file }
        for name in ignore { table[name] = .ignore }
        for name in noticeAlways { table[name] = .noticeAlways }
        for name in noticePerOrig { table[name] = .noticePerOriginator }
        table["simultaneous_open"] = .noticePerConnection
        for name in noticeOnce { table[name] = .noticeOnce }
        return table
    }()

    static let ignore = ["FIN_after_reset", "spontaneous_FIN", "spontaneous_RST", "unsolicited_SYN_response"]

    static let noticeAlways = [
        "FIN_storm", "RST_storm", "excessively_large_fragment", "fragment_inconsistency",
        "fragment_overlap", "fragment_protocol_inconsistency", "fragment_size_inconsistency",
        "incompletely_captured_fragment", "internally_truncated_header",
    ]

    static let noticePerOrig = [
        "bad_RPC", "DNS_label_forward_compress_offset", "DNS_label_len_gt_name_len",
        "DNS_label_len_gt_pkt", "DNS_label_too_long", "excess_RPC", "excessive_RPC_len",
        "multiple_RPCs", "originator_RPC_reply", "partial_RPC", "responder_RPC_call",
        "successful_RPC_reply_to_invalid_request", "SYN_after_partial",
        "UDP_datagram_length_mismatch", "excessively_small_fragment", "Land_attack", "bad_pm_port",
    ]

    static let noticeOnce = ["non_IPv4_packet", "UDP_zone_transfer"]

    static let file = [
        // TCP and transport
        "above_hole_data_without_any_acks", "active_connection_reuse", "bad_ICMP_checksum",
        "bad_SYN_ack", "bad_TCP_checksum", "bad_UDP_checksum", "baroque_SYN",
        "connection_originator_SYN_ack", "corrupt_tcp_options", "data_after_reset",
        "data_before_established", "data_without_SYN_ACK", "excessive_data_without_further_acks",
        "FIN_advanced_last_seq", "inappropriate_FIN", "pending_data_when_closed",
        "possible_split_routing", "premature_connection_reuse", "repeated_SYN_reply_wo_ack",
        "repeated_SYN_with_ack", "RST_with_data", "SYN_after_close", "SYN_after_reset",
        "SYN_inside_connection", "SYN_seq_jump", "SYN_with_data", "TCP_christmas",
        "window_recision", "matching_undelivered_data",
        // RPC
        "bad_RPC_program", "partial_RPC_request", "RPC_rexmit_inconsistency", "RPC_underflow",
        "unpaired_RPC_response",
        // fragments and net weirds
        "fragment_with_DF", "bad_IP_checksum", "bad_TCP_header_len", "truncated_IP",
        "truncated_header",
        // other application analyzers of the reference
        "bad_HTTP_reply", "bad_HTTP_version", "bad_ident_port", "bad_ident_reply",
        "bad_ident_request", "bad_rlogin_prolog", "bad_rsh_prolog", "rsh_text_after_rejected",
        "base64_illegal_encoding", "crud_trailing_HTTP_request", "DHCP_no_type_option",
        "DHCP_wrong_msg_type", "DHCP_wrong_op_type", "DNS_AAAA_neg_length",
        "DNS_Conn_count_too_large", "DNS_NAME_too_long", "DNS_RR_bad_length",
        "DNS_RR_length_mismatch", "DNS_RR_unknown_type", "DNS_truncated_RR_rdlength_lt_len",
        "DNS_truncated_ans_too_short", "DNS_truncated_len_lt_hdr_len",
        "DNS_truncated_quest_too_short", "HTTP_bad_chunk_size",
        "HTTP_chunked_transfer_for_multipart_message", "HTTP_overlapping_messages",
        "HTTP_unknown_method", "HTTP_version_mismatch", "ident_request_addendum",
        "inflate_data_failed", "inflate_failed", "invalid_irc_global_users_reply",
        "irc_invalid_command", "irc_invalid_dcc_message_format",
        "irc_invalid_invite_message_format", "irc_invalid_join_line",
        "irc_invalid_kick_message_format", "irc_invalid_line", "irc_invalid_mode_message_format",
        "irc_invalid_names_line", "irc_invalid_njoin_line", "irc_invalid_notice_message_format",
        "irc_invalid_oper_message_format", "irc_invalid_privmsg_message_format",
        "irc_invalid_reply_number", "irc_invalid_squery_message_format",
        "irc_invalid_topic_reply", "irc_invalid_who_line", "irc_invalid_who_message_format",
        "irc_invalid_whois_channel_line", "irc_invalid_whois_message_format",
        "irc_invalid_whois_operator_line", "irc_invalid_whois_user_line",
        "irc_line_size_exceeded", "irc_line_too_short", "irc_too_many_invalid",
        "line_terminated_with_single_CR", "line_terminated_with_single_LF",
        "malformed_ssh_identification", "malformed_ssh_version", "multiple_HTTP_request_elements",
        "NUL_in_line", "partial_finger_request", "partial_ftp_request", "partial_ident_request",
        "pop3_bad_base64_encoding", "pop3_client_command_unknown",
        "pop3_client_sending_server_commands", "pop3_malformed_auth_plain",
        "pop3_server_command_unknown", "pop3_server_sending_client_commands",
        "rlogin_text_after_rejected", "SMB_parsing_error", "no_smb_session_using_parsesambamsg",
        "smb_andx_command_failed_to_parse", "transaction_subcmd_missing",
        "SSLv3_data_without_full_handshake", "unexpected_SSLv3_record", "truncated_ARP",
        "truncated_NTP", "unexpected_client_HTTP_data", "unexpected_multiple_HTTP_requests",
        "unexpected_server_HTTP_data", "unmatched_HTTP_reply", "double_%_in_URI",
        "illegal_%_at_end_of_URI", "unescaped_%_in_URI", "unescaped_special_URI_char",
        "deficit_netbios_hdr_len", "excess_netbios_hdr_len", "netbios_client_session_reply",
        "netbios_raw_session_msg", "netbios_server_session_request", "unknown_netbios_type",
    ]
}
