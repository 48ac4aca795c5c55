package envoy

import "encoding/json"

// The fields of Envoy's admin /config_dump (envoy.admin.v3.ConfigDump in
// proto JSON, proto field names) that ParseDump reads: listeners with
// their filter chains and HTTP connection managers, route configurations
// with their virtual hosts and routes. Everything else is ignored.

type anyMsg struct {
	Type string `json:"@type"`
}

type jsonDump struct {
	Configs []json.RawMessage `json:"configs"`
}

type jsonListeners struct {
	Dynamic []struct {
		Active *struct {
			Listener jsonListener `json:"listener"`
		} `json:"active_state"`
	} `json:"dynamic_listeners"`
	Static []struct {
		Listener jsonListener `json:"listener"`
	} `json:"static_listeners"`
}

type jsonListener struct {
	Name    string `json:"name"`
	Address struct {
		Socket struct {
			Port uint32 `json:"port_value"`
		} `json:"socket_address"`
	} `json:"address"`
	Chains []struct {
		Name  string `json:"name"`
		Match struct {
			ServerNames []string `json:"server_names"`
			Transport   string   `json:"transport_protocol"`
		} `json:"filter_chain_match"`
		Filters []struct {
			Typed json.RawMessage `json:"typed_config"`
		} `json:"filters"`
		TransportSocket *struct{} `json:"transport_socket"`
	} `json:"filter_chains"`
}

type jsonHCM struct {
	Type string `json:"@type"`
	RDS  *struct {
		Name string `json:"route_config_name"`
	} `json:"rds"`
	RouteConfig *jsonRouteConfig `json:"route_config"`
}

type jsonRoutes struct {
	Dynamic []struct {
		RouteConfig jsonRouteConfig `json:"route_config"`
	} `json:"dynamic_route_configs"`
	Static []struct {
		RouteConfig jsonRouteConfig `json:"route_config"`
	} `json:"static_route_configs"`
}

type jsonRouteConfig struct {
	Name         string `json:"name"`
	VirtualHosts []struct {
		Name       string      `json:"name"`
		Domains    []string    `json:"domains"`
		RequireTLS string      `json:"require_tls"`
		Routes     []jsonRoute `json:"routes"`
	} `json:"virtual_hosts"`
}

type jsonString struct {
	Exact      *string `json:"exact"`
	Prefix     *string `json:"prefix"`
	Suffix     *string `json:"suffix"`
	Contains   *string `json:"contains"`
	SafeRegex  *jsonRe `json:"safe_regex"`
	IgnoreCase bool    `json:"ignore_case"`
}

type jsonRe struct {
	Regex string `json:"regex"`
}

type jsonRoute struct {
	Name  string `json:"name"`
	Match struct {
		Prefix          *string `json:"prefix"`
		Path            *string `json:"path"`
		SeparatedPrefix *string `json:"path_separated_prefix"`
		SafeRegex       *jsonRe `json:"safe_regex"`
		CaseSensitive   *bool   `json:"case_sensitive"`
		Headers         []struct {
			Name         string      `json:"name"`
			StringMatch  *jsonString `json:"string_match"`
			ExactMatch   *string     `json:"exact_match"`
			PrefixMatch  *string     `json:"prefix_match"`
			Present      *bool       `json:"present_match"`
			Invert       bool        `json:"invert_match"`
			MissingEmpty bool        `json:"treat_missing_header_as_empty"`
		} `json:"headers"`
		Query []struct {
			Name        string      `json:"name"`
			StringMatch *jsonString `json:"string_match"`
			Present     bool        `json:"present_match"`
		} `json:"query_parameters"`
	} `json:"match"`
	Route *struct {
		Cluster  string `json:"cluster"`
		Weighted *struct {
			Clusters []struct {
				Name   string `json:"name"`
				Weight int32  `json:"weight"`
			} `json:"clusters"`
		} `json:"weighted_clusters"`
		PrefixRewrite string `json:"prefix_rewrite"`
		RegexRewrite  *struct {
			Pattern      jsonRe `json:"pattern"`
			Substitution string `json:"substitution"`
		} `json:"regex_rewrite"`
		HostRewrite string `json:"host_rewrite_literal"`
	} `json:"route"`
	Redirect *struct {
		HTTPS         bool    `json:"https_redirect"`
		Scheme        string  `json:"scheme_redirect"`
		Host          string  `json:"host_redirect"`
		Port          uint32  `json:"port_redirect"`
		Path          string  `json:"path_redirect"`
		PrefixRewrite *string `json:"prefix_rewrite"`
		Code          string  `json:"response_code"`
		StripQuery    bool    `json:"strip_query"`
	} `json:"redirect"`
	Direct *struct {
		Status int `json:"status"`
		Body   *struct {
			Inline string `json:"inline_string"`
		} `json:"body"`
	} `json:"direct_response"`
	Metadata struct {
		Filter map[string]map[string]any `json:"filter_metadata"`
	} `json:"metadata"`
}
